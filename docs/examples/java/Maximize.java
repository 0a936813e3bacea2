// maximize from Java with only the JDK (java.net.http, Java 11+): one message, then the same streamed.
// Tested: test/docs/examples.e2e.test.ts runs this file (`java Maximize.java`) against a real maximize.
//
//   java Maximize.java
//
// MAXIMIZE_URL defaults to http://127.0.0.1:8081. The API key: any value, or one of your proxy API keys if you
// configured them (MAXIMIZE_API_KEY); maximize never sends it upstream. The JDK has no JSON parser: a real program
// would read the answers with Jackson or Gson; this one prints the JSON, and picks the streamed text out with a regex.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Maximize {
  static final String URL = System.getenv().getOrDefault("MAXIMIZE_URL", "http://127.0.0.1:8081");
  static final String KEY = System.getenv().getOrDefault("MAXIMIZE_API_KEY", "unused");
  static final Pattern TEXT_DELTA = Pattern.compile("\"text_delta\",\"text\":\"((?:[^\"\\\\]|\\\\.)*)\"");

  static HttpRequest post(String body) {
    return HttpRequest.newBuilder(URI.create(URL + "/v1/messages"))
        .header("content-type", "application/json")
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  public static void main(String[] args) throws Exception {
    HttpClient client = HttpClient.newHttpClient();

    // "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
    HttpResponse<String> message = client.send(
        post("{\"model\":\"l\",\"max_tokens\":1024,\"messages\":[{\"role\":\"user\",\"content\":\"Hello from Java\"}]}"),
        HttpResponse.BodyHandlers.ofString());
    if (message.statusCode() != 200) throw new IllegalStateException("maximize answered " + message.statusCode() + ": " + message.body());
    System.out.println(message.body());

    // Streamed: server-sent events, read line by line as they arrive.
    HttpResponse<java.util.stream.Stream<String>> stream = client.send(
        post("{\"model\":\"l\",\"max_tokens\":1024,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello from Java, streamed\"}]}"),
        HttpResponse.BodyHandlers.ofLines());
    if (stream.statusCode() != 200) throw new IllegalStateException("maximize answered " + stream.statusCode());
    stream.body().forEach(line -> {
      Matcher delta = TEXT_DELTA.matcher(line);
      if (line.startsWith("data: ") && delta.find()) {
        System.out.print(delta.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        System.out.flush();
      }
    });
    System.out.println();
  }
}
