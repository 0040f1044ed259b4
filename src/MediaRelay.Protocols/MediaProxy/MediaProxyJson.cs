using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MediaRelay.Protocols.MediaProxy;

/// <summary>
/// The JSON shapes of AG Projects' MediaProxy: session statistics (the relay's reply to <c>remove</c> and its
/// <c>expired</c> notice), and the management interface's <c>sessions</c> and <c>summary</c> replies. Keys appear
/// in AG's order. Output is compact; AG's Python writes <c>", "</c> and <c>": "</c>, which no JSON reader
/// distinguishes. Endpoints are written <c>ip:port</c> as AG does, but an IPv6 one as <c>[ip]:port</c> (AG writes
/// no brackets and so is ambiguous). Threading: stateless.
/// </summary>
public static class MediaProxyJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // URIs and user agents stay readable: no \u escapes for '+', '<', '&' or non-ASCII letters.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One session's statistics object, without a line end.</summary>
    public static string FormatSessionStatistics(MediaProxySessionStatistics session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Write(writer => WriteSession(writer, session), lineEnd: false);
    }

    /// <summary>
    /// The management interface's reply to <c>sessions</c>: one JSON array of every session's statistics on one
    /// line, ending in CRLF.
    /// </summary>
    public static string FormatSessions(IEnumerable<MediaProxySessionStatistics> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return Write(
            writer =>
            {
                writer.WriteStartArray();
                foreach (var session in sessions)
                {
                    WriteSession(writer, session);
                }

                writer.WriteEndArray();
            },
            lineEnd: true);
    }

    /// <summary>The management interface's reply to <c>summary</c>: one JSON array of relay objects, ending in CRLF.</summary>
    public static string FormatSummary(IEnumerable<MediaProxyRelaySummary> relays)
    {
        ArgumentNullException.ThrowIfNull(relays);
        return Write(
            writer =>
            {
                writer.WriteStartArray();
                foreach (var relay in relays)
                {
                    writer.WriteStartObject();
                    writer.WriteString("ip", relay.Ip.ToString());
                    writer.WriteString("version", relay.Version);
                    writer.WriteString("status", relay.Status);
                    writer.WriteNumber("uptime", relay.Uptime);
                    writer.WriteNumber("session_count", relay.SessionCount);
                    writer.WriteStartObject("stream_count");
                    foreach (var (mediaType, count) in relay.StreamCount)
                    {
                        writer.WriteNumber(mediaType, count);
                    }

                    writer.WriteEndObject();
                    writer.WriteNumber("bps_relayed", relay.BpsRelayed);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            },
            lineEnd: true);
    }

    private static void WriteSession(Utf8JsonWriter writer, MediaProxySessionStatistics session)
    {
        writer.WriteStartObject();
        writer.WriteString("call_id", session.CallId);
        writer.WriteString("from_tag", session.FromTag);
        writer.WriteString("from_uri", session.FromUri);
        WriteStringOrNull(writer, "to_tag", session.ToTag);
        writer.WriteString("to_uri", session.ToUri);
        if (session.StartTime is { } start)
        {
            writer.WriteNumber("start_time", start.ToUnixTimeMilliseconds() / 1000.0);
        }
        else
        {
            writer.WriteNull("start_time");
        }

        writer.WriteNumber("duration", session.Duration);
        writer.WriteString("caller_ua", session.CallerUa);
        writer.WriteString("callee_ua", session.CalleeUa);
        writer.WriteStartArray("streams");
        foreach (var stream in session.Streams)
        {
            WriteStream(writer, stream);
        }

        writer.WriteEndArray();
        if (session.DialogId is { } dialogId)
        {
            writer.WriteString("dialog_id", dialogId.ToString());
        }

        if (session.TimedOut is { } timedOut)
        {
            writer.WriteBoolean("timed_out", timedOut);
        }

        if (session.AllStreamsIce is { } allStreamsIce)
        {
            writer.WriteBoolean("all_streams_ice", allStreamsIce);
        }

        writer.WriteEndObject();
    }

    private static void WriteStream(Utf8JsonWriter writer, MediaProxyStreamStatistics stream)
    {
        writer.WriteStartObject();
        writer.WriteString("media_type", stream.MediaType);
        writer.WriteString("status", stream.Status);
        writer.WriteNumber("timeout_wait", stream.TimeoutWait);
        writer.WriteString("caller_codec", stream.CallerCodec);
        writer.WriteString("callee_codec", stream.CalleeCodec);
        WriteNumberOrNull(writer, "start_time", stream.StartTime);
        WriteNumberOrNull(writer, "end_time", stream.EndTime);
        if (stream.PostDialDelay is { } delay)
        {
            writer.WriteNumber("post_dial_delay", delay);
        }
        else
        {
            writer.WriteNull("post_dial_delay");
        }

        writer.WriteNumber("caller_bytes", stream.CallerBytes);
        writer.WriteNumber("callee_bytes", stream.CalleeBytes);
        writer.WriteNumber("caller_packets", stream.CallerPackets);
        writer.WriteNumber("callee_packets", stream.CalleePackets);
        writer.WriteString("caller_local", Endpoint(stream.CallerLocal));
        writer.WriteString("callee_local", Endpoint(stream.CalleeLocal));
        writer.WriteString("caller_remote", Endpoint(stream.CallerRemote));
        writer.WriteString("callee_remote", Endpoint(stream.CalleeRemote));
        writer.WriteEndObject();
    }

    private static string Endpoint(IPEndPoint? endpoint) => endpoint switch
    {
        null => "Unknown",
        { AddressFamily: AddressFamily.InterNetworkV6 } => string.Create(CultureInfo.InvariantCulture, $"[{endpoint.Address}]:{endpoint.Port}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{endpoint.Address}:{endpoint.Port}"),
    };

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string Write(Action<Utf8JsonWriter> body, bool lineEnd)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            body(writer);
        }

        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return lineEnd ? json + MediaProxyReply.LineEnd : json;
    }
}
