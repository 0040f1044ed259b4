using System.Text.Json;
using MediaRelay.Accounting.Tests.Infrastructure;
using MediaRelay.EndToEnd.Tests.Infrastructure;
using MediaRelay.Management.Api;
using MediaRelay.Management.Tests.Infrastructure;

namespace MediaRelay.Accounting.Tests;

/// <summary>
/// Issue 12, accounting: a real relay process with real UDP media writes one record per ended session to a real
/// SQLite file or a real PostgreSQL server, and each record says what the relay itself reported for the call
/// (management API just before the end, the session-end log line) and what the phones really sent.
/// </summary>
[Collection(AccountingCollection.Name)]
public sealed class AccountingRecordTests
{
    /// <summary>RTP packet size of the test phones (12-byte header, 160 bytes of payload).</summary>
    private const int RtpSize = 172;

    /// <summary>RTCP packet size of the test phones (an empty receiver report).</summary>
    private const int RtcpSize = 8;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task RecordsMatchTheRelaysStatistics_ForCallsEndedByDeleteTimeoutAndShutdown(string backend)
    {
        using var database = AccountingDatabase.Create(backend);
        SessionView deletedView, timedOutView, shutdownView;
        (string Reason, long Packets, long KernelPackets, long Bytes, long Errors, double TimeoutWait) deletedEnd, timedOutEnd, shutdownEnd;
        MediaCall deleted, timedOut, shutdown;
        using (var relay = await RunningRelay.StartAsync(40, null, [.. database.RelayArguments, "--stream-timeout", "4"]))
        {
            await RelayControl.WaitForLogAsync(relay.Process, "accounting: every ended session is recorded in " + (backend == "sqlite" ? "sqlite:" + database.SqlitePath : "postgresql:"));
            deleted = await MediaCall.StartAsync(relay, "acct-delete");
            timedOut = await MediaCall.StartAsync(relay, "acct-timeout");
            Assert.Equal((50, 40), deleted.Exchange(50, 40));
            // Three RTCP reports from the caller too (relayed to the callee's RTCP port, where no phone listens).
            for (var i = 0; i < 3; i++)
            {
                deleted.Caller.SendTo(UdpPhone.Rtcp(0x1111), deleted.CallerFacing + 1);
            }

            await Task.Delay(200);
            Assert.Equal((30, 20), timedOut.Exchange(30, 20));
            deletedView = await relay.SessionAsync("acct-delete");
            timedOutView = await relay.SessionAsync("acct-timeout");

            await RelayControl.DeleteAsync(relay, "acct-delete");
            await RelayControl.WaitForLogAsync(relay.Process, "session acct-timeout ended: no-traffic timeout");

            shutdown = await MediaCall.StartAsync(relay, "acct-shutdown");
            Assert.Equal((25, 35), shutdown.Exchange(25, 35));
            shutdownView = await relay.SessionAsync("acct-shutdown");
            Assert.Equal(0, await RelayControl.StopAsync(relay.Process));
            deletedEnd = RelayControl.EndLine(relay.Process, "acct-delete");
            timedOutEnd = RelayControl.EndLine(relay.Process, "acct-timeout");
            shutdownEnd = RelayControl.EndLine(relay.Process, "acct-shutdown");
            Assert.Contains("accounting: 3 record(s) written to ", relay.Process.Log, StringComparison.Ordinal);
        }

        using (deleted)
        using (timedOut)
        using (shutdown)
        {
            var records = await database.ReadAsync();
            Assert.Equal(["acct-delete", "acct-shutdown", "acct-timeout"], records.Select(r => r.CallId).Order(StringComparer.Ordinal));
            Assert.Equal(0, database.SpoolLines);

            var d = records.Single(r => r.CallId == "acct-delete");
            AssertMatches(d, deletedView, deletedEnd, deleted, "closed", callerRtp: 50, calleeRtp: 40, callerRtcp: 3);
            Assert.Equal(0, d.TimeoutWait);

            var t = records.Single(r => r.CallId == "acct-timeout");
            AssertMatches(t, timedOutView, timedOutEnd, timedOut, "no-traffic timeout", callerRtp: 30, calleeRtp: 20, callerRtcp: 0);
            // The stream timeout was 4 s: the call waited that long in silence (the sweep may add a moment).
            Assert.InRange(t.TimeoutWait, 4, 6);
            Assert.Equal(timedOutEnd.TimeoutWait, Math.Round(t.TimeoutWait));
            Assert.True(t.Duration >= 4, $"duration {t.Duration} s is shorter than the 4 s of silence before the timeout");

            var s = records.Single(r => r.CallId == "acct-shutdown");
            AssertMatches(s, shutdownView, shutdownEnd, shutdown, "shutdown", callerRtp: 25, calleeRtp: 35, callerRtcp: 0);
            Assert.Equal(0, s.TimeoutWait);

            Assert.Equal(1, database.Scalar("SELECT MAX(version) FROM schema_version"));
            Assert.Equal(6, database.Scalar("SELECT COUNT(*) FROM media_streams"));

            // The CLI verb shows them: newest first, and one call's directions with its addresses.
            var all = await CliRun.RunAsync("accounting", "--accounting", database.Argument, "--since", "1h");
            Assert.True(all.ExitCode == 0, all.Output);
            var rows = all.Output.Split('\n');
            Assert.StartsWith("ENDED (UTC)", rows[0], StringComparison.Ordinal);
            Assert.Contains("acct-shutdown", rows[1], StringComparison.Ordinal);
            Assert.Contains("shutdown", rows[1], StringComparison.Ordinal);
            Assert.Contains("no-traffic timeout", rows[2], StringComparison.Ordinal);
            Assert.Contains("acct-delete", rows[3], StringComparison.Ordinal);
            Assert.Contains(" 93 ", rows[3], StringComparison.Ordinal); // 50 + 40 RTP and 3 RTCP packets
            Assert.Contains("3 record(s) in " + (backend == "sqlite" ? "sqlite:" + database.SqlitePath : "postgresql:Host=127.0.0.1"), all.Output, StringComparison.Ordinal);

            var one = await CliRun.RunAsync("accounting", "--accounting", database.Argument, "--call-id", "acct-delete");
            Assert.True(one.ExitCode == 0, one.Output);
            Assert.Contains("caller->callee", one.Output, StringComparison.Ordinal);
            Assert.Contains(deleted.Caller.EndPoint + "  " + d.Directions.Single(x => x.Direction == DirectionRecord.CallerToCallee).RelayIn, one.Output, StringComparison.Ordinal);
            Assert.Contains("1 record(s) in ", one.Output, StringComparison.Ordinal);

            var none = await CliRun.RunAsync("accounting", "--accounting", database.Argument, "--since", DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"));
            Assert.Contains("no accounting records", none.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>A record against the relay's view of the call just before its end, its end log line, and what the phones sent.</summary>
    private static void AssertMatches(AccountingRecord record, SessionView view,
        (string Reason, long Packets, long KernelPackets, long Bytes, long Errors, double TimeoutWait) end, MediaCall call,
        string reason, int callerRtp, int calleeRtp, int callerRtcp)
    {
        Assert.Equal(reason, record.EndReason);
        Assert.Equal(end.Reason, record.EndReason);
        Assert.Equal("a", record.FromTag);
        Assert.Equal("b", record.ToTag);
        Assert.Equal(view.Created.ToUnixTimeMilliseconds(), record.StartTime.ToUnixTimeMilliseconds());
        Assert.True(record.EndTime > record.StartTime && record.EndTime <= DateTimeOffset.UtcNow, $"end {record.EndTime:O} after start {record.StartTime:O}");
        Assert.Equal((record.EndTime - record.StartTime).TotalSeconds, record.Duration, 3);
        Assert.Equal(Environment.MachineName, record.Node);

        // Totals: what the phones sent, what the relay showed and what it logged at the end.
        var packets = callerRtp + calleeRtp + callerRtcp;
        var bytes = ((callerRtp + calleeRtp) * RtpSize) + (callerRtcp * RtcpSize);
        Assert.Equal(packets, record.Packets);
        Assert.Equal(bytes, record.Bytes);
        Assert.Equal(view.Packets, record.Packets);
        Assert.Equal(view.Bytes, record.Bytes);
        Assert.Equal(end.Packets, record.Packets);
        Assert.Equal(end.Bytes, record.Bytes);
        Assert.Equal(0, record.Errors);
        Assert.Equal(end.Errors, record.Errors);
        Assert.Equal(end.KernelPackets, record.KernelPackets);
        Assert.Equal(1, record.Streams);

        var stream = view.Streams[0];
        Assert.Equal(2, record.Directions.Count);
        var up = record.Directions.Single(x => x.Direction == DirectionRecord.CallerToCallee);
        var down = record.Directions.Single(x => x.Direction == DirectionRecord.CalleeToCaller);
        foreach (var (direction, source, destination, phone, other, rtp, rtcp) in new[]
        {
            (up, stream.Caller, stream.Callee, call.Caller, call.Callee, callerRtp, callerRtcp),
            (down, stream.Callee, stream.Caller, call.Callee, call.Caller, calleeRtp, 0),
        })
        {
            Assert.Equal(0, direction.StreamIndex);
            Assert.Equal("audio", direction.MediaType);
            Assert.Equal(stream.Codec, direction.Codec);
            Assert.Equal("PCMU", direction.Codec);
            Assert.Equal(source.Tag, direction.SourceTag);
            // Addresses: the phone as learned, the relay ports it used, and where its media went.
            Assert.Equal(phone.EndPoint.ToString(), direction.SourceLearned);
            Assert.Equal(source.Rtp.Learned, direction.SourceLearned);
            Assert.Equal(source.Rtp.Relay, direction.RelayIn);
            Assert.Equal(destination.Rtp.Relay, direction.RelayOut);
            Assert.Equal(other.EndPoint.ToString(), direction.Destination);
            Assert.Equal("default", direction.InterfaceIn);
            Assert.Equal(source.Interface, direction.InterfaceIn);
            Assert.Equal(destination.Interface, direction.InterfaceOut);
            // Counters: as sent, as the relay counted them, split between user space and the kernel.
            Assert.Equal(rtp, direction.RtpPackets);
            Assert.Equal(rtp * RtpSize, direction.RtpBytes);
            Assert.Equal(source.Rtp.Packets, direction.RtpPackets);
            Assert.Equal(source.Rtp.Bytes, direction.RtpBytes);
            Assert.Equal(source.Rtp.KernelPackets, direction.RtpKernelPackets);
            Assert.Equal(source.Rtp.KernelBytes, direction.RtpKernelBytes);
            Assert.Equal(direction.RtpPackets - direction.RtpKernelPackets, direction.RtpUserPackets);
            Assert.Equal(direction.RtpBytes - direction.RtpKernelBytes, direction.RtpUserBytes);
            Assert.Equal(rtcp, direction.RtcpPackets);
            Assert.Equal(rtcp * RtcpSize, direction.RtcpBytes);
            Assert.Equal(source.Rtcp.Packets, direction.RtcpPackets);
            Assert.Equal(0, direction.RtpErrors + direction.RtcpErrors);
            // Quality: every sequence number arrived, so nothing was lost; loopback sounds good.
            Assert.Equal(0, direction.PacketsLost);
            Assert.Equal(0, direction.LossPercent);
            Assert.InRange(direction.JitterMs, 0, 100);
            Assert.NotNull(direction.Mos);
            Assert.InRange(direction.Mos!.Value, 4.0, 5.0);
        }

        Assert.Equal(0x1111, up.Ssrc);
        Assert.Equal(0x2222, down.Ssrc);

        // The whole statistics, as the relay had them at the end, in the info JSON.
        using var info = JsonDocument.Parse(record.Info);
        var root = info.RootElement;
        Assert.Equal(record.CallId, root.GetProperty("call_id").GetString());
        Assert.Equal(reason, root.GetProperty("end_reason").GetString());
        Assert.Equal(packets, root.GetProperty("total_packets").GetInt64());
        var infoStream = root.GetProperty("streams")[0];
        Assert.Equal(callerRtp, infoStream.GetProperty("caller").GetProperty("rtp").GetProperty("packets").GetInt64()
            + infoStream.GetProperty("caller").GetProperty("rtp").GetProperty("kernel_packets").GetInt64());
        Assert.Equal(call.Callee.EndPoint.ToString(), infoStream.GetProperty("callee").GetProperty("rtp").GetProperty("learned_remote").GetString());
        Assert.Equal(up.Mos!.Value, infoStream.GetProperty("callee").GetProperty("quality").GetProperty("mos").GetDouble(), 9);
    }
}
