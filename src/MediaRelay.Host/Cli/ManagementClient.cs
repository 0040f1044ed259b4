using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using MediaRelay.Management.Api;

namespace MediaRelay.Host.Cli;

/// <summary>
/// The CLI verbs' way to a running relay: its management API over HTTP. Failures become a <see cref="CliException"/>
/// that says where the CLI looked and what to do.
/// </summary>
internal sealed class ManagementClient : IDisposable
{
    private readonly HttpClient _http;

    public ManagementClient(Uri baseAddress, string? token)
    {
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseAddress { get; }

    public Task<SummaryView> SummaryAsync(CancellationToken cancellation) => SendAsync<SummaryView>(HttpMethod.Get, "api/summary", null, cancellation);

    public Task<SessionPage> SessionsAsync(int offset, int limit, string? filter, CancellationToken cancellation) =>
        SendAsync<SessionPage>(HttpMethod.Get, FormattableString.Invariant($"api/sessions?offset={offset}&limit={limit}") +
            (string.IsNullOrEmpty(filter) ? "" : "&filter=" + Uri.EscapeDataString(filter)), null, cancellation);

    /// <summary>Every running call, read page by page (<see cref="ApiEndpoints.MaxLimit"/> at a time).</summary>
    public async Task<List<SessionView>> AllSessionsAsync(string? filter, CancellationToken cancellation)
    {
        var all = new List<SessionView>();
        while (true)
        {
            var page = await SessionsAsync(all.Count, ApiEndpoints.MaxLimit, filter, cancellation).ConfigureAwait(false);
            all.AddRange(page.Sessions);
            if (page.Sessions.Count == 0 || all.Count >= page.Total)
            {
                return all;
            }
        }
    }

    public Task<SessionView> SessionAsync(string callId, CancellationToken cancellation) =>
        SendAsync<SessionView>(HttpMethod.Get, "api/sessions/" + Uri.EscapeDataString(callId), callId, cancellation);

    public Task<TerminatedView> TerminateAsync(string callId, CancellationToken cancellation) =>
        SendAsync<TerminatedView>(HttpMethod.Delete, "api/sessions/" + Uri.EscapeDataString(callId), callId, cancellation);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? callId, CancellationToken cancellation)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, path);
            response = await _http.SendAsync(request, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            var why = e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : e.Message;
            throw new CliException(
                $"no relay answers at {BaseAddress} ({why}). Is `mediarelay run` running on this host? Its management listener is " +
                "--management-listen (config ManagementListen, default 127.0.0.1:9900); point the CLI at it with --management URL " +
                "(or --config FILE to read it from the relay's configuration file)");
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new CliException($"the relay at {BaseAddress} did not answer within 10 s; is it overloaded or stopped? Try again, or check its log");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new CliException($"the relay at {BaseAddress} needs its management token: give --management-token TOKEN (or ManagementToken in the configuration file)");
            }

            if (response.StatusCode == HttpStatusCode.NotFound && callId is not null)
            {
                throw new CliException($"no call with call-id '{callId}' runs on the relay at {BaseAddress}; `mediarelay sessions` lists them");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"the relay at {BaseAddress} answered {(int)response.StatusCode} to {method} /{path}: {body}");
            }

            try
            {
                return JsonSerializer.Deserialize<T>(body, ManagementJson.Options)
                    ?? throw new CliException($"the relay at {BaseAddress} answered an empty body to /{path}");
            }
            catch (JsonException e)
            {
                throw new CliException($"{BaseAddress} answered /{path} with something that is not the relay's management API ({e.Message}); is --management the relay's listener?");
            }
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A CLI failure whose message says what went wrong and what to do; exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
