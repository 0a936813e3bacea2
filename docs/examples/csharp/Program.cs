// maximize from C# with only .NET (HttpClient, System.Text.Json; .NET 6+ top-level program): one message, then the
// same streamed.
//
// UNTESTED: .NET is not installed where maximize's tests run, so this file is neither compiled nor run by them
// (the same requests are run from Python, Java and curl in test/docs/examples.e2e.test.ts).
//
//   dotnet new console -o MaximizeExample && cp Program.cs MaximizeExample/ && dotnet run --project MaximizeExample
//
// MAXIMIZE_URL defaults to http://127.0.0.1:8081. The API key: any value, or one of your proxy API keys if you
// configured them (MAXIMIZE_API_KEY); maximize never sends it upstream.
using System.Net.Http.Json;
using System.Text.Json;

var baseUrl = Environment.GetEnvironmentVariable("MAXIMIZE_URL") ?? "http://127.0.0.1:8081";
var apiKey = Environment.GetEnvironmentVariable("MAXIMIZE_API_KEY") ?? "unused";

using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
http.DefaultRequestHeaders.Add("x-api-key", apiKey);
http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");

// "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
var response = await http.PostAsJsonAsync("/v1/messages", new
{
    model = "l",
    max_tokens = 1024,
    messages = new[] { new { role = "user", content = "Hello from C#" } },
});
if (!response.IsSuccessStatusCode)
    throw new Exception($"maximize answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
using (var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
{
    foreach (var block in message.RootElement.GetProperty("content").EnumerateArray())
        if (block.GetProperty("type").GetString() == "text") Console.WriteLine(block.GetProperty("text").GetString());
}

// Streamed: server-sent events; the text arrives in content_block_delta events. ResponseHeadersRead lets the
// body be read as it arrives.
var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
{
    Content = JsonContent.Create(new
    {
        model = "l",
        max_tokens = 1024,
        stream = true,
        messages = new[] { new { role = "user", content = "Hello from C#, streamed" } },
    }),
};
using var stream = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
stream.EnsureSuccessStatusCode();
using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
while (await reader.ReadLineAsync() is { } line)
{
    if (!line.StartsWith("data: ")) continue;
    using var sse = JsonDocument.Parse(line["data: ".Length..]);
    var type = sse.RootElement.GetProperty("type").GetString();
    if (type == "content_block_delta" && sse.RootElement.GetProperty("delta").GetProperty("type").GetString() == "text_delta")
        Console.Write(sse.RootElement.GetProperty("delta").GetProperty("text").GetString());
    if (type == "error") throw new Exception($"the stream ended with an error: {line}");
}
Console.WriteLine();
