// maximize from Go with only the standard library (net/http): one message, then the same streamed.
//
// Run by test/docs/examples.e2e.test.ts only where Go (1.19+) is on the PATH, and skipped elsewhere: maximize's CI
// does not install Go, so this one may go untested (the same requests are always run from Python, Java and curl).
//
//	go run main.go
//
// MAXIMIZE_URL defaults to http://127.0.0.1:8081. The API key: any value, or one of your proxy API keys if you
// configured them (MAXIMIZE_API_KEY); maximize never sends it upstream.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
)

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

var (
	baseURL = env("MAXIMIZE_URL", "http://127.0.0.1:8081")
	apiKey  = env("MAXIMIZE_API_KEY", "unused")
)

func post(body map[string]any) *http.Response {
	payload, err := json.Marshal(body)
	if err != nil {
		log.Fatal(err)
	}
	req, err := http.NewRequest("POST", baseURL+"/v1/messages", bytes.NewReader(payload))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("content-type", "application/json")
	req.Header.Set("x-api-key", apiKey)
	req.Header.Set("anthropic-version", "2023-06-01")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatalf("could not reach maximize at %s (is `maximize serve` running?): %v", baseURL, err)
	}
	if res.StatusCode != http.StatusOK {
		text, _ := io.ReadAll(res.Body)
		log.Fatalf("maximize answered %d: %s", res.StatusCode, text)
	}
	return res
}

func main() {
	// "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
	res := post(map[string]any{
		"model": "l", "max_tokens": 1024,
		"messages": []map[string]any{{"role": "user", "content": "Hello from Go"}},
	})
	var message struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if err := json.NewDecoder(res.Body).Decode(&message); err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	for _, block := range message.Content {
		if block.Type == "text" {
			fmt.Println(block.Text)
		}
	}

	// Streamed: server-sent events; the text arrives in content_block_delta events.
	stream := post(map[string]any{
		"model": "l", "max_tokens": 1024, "stream": true,
		"messages": []map[string]any{{"role": "user", "content": "Hello from Go, streamed"}},
	})
	defer stream.Body.Close()
	scanner := bufio.NewScanner(stream.Body)
	scanner.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		data := strings.TrimPrefix(line, "data: ")
		var event struct {
			Type  string `json:"type"`
			Delta struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"delta"`
		}
		if err := json.Unmarshal([]byte(data), &event); err != nil {
			log.Fatal(err)
		}
		if event.Type == "content_block_delta" && event.Delta.Type == "text_delta" {
			fmt.Print(event.Delta.Text)
		}
		if event.Type == "error" {
			log.Fatalf("the stream ended with an error: %s", data)
		}
	}
	if err := scanner.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
}
