namespace MediaRelay.Accounting.Storage;

/// <summary>
/// The accounting tables and their migrations. <c>schema_version</c> has one row per migration applied; the relay
/// applies the missing ones at start, in one transaction each. A migration is never edited once released: a change
/// is a new one. Placeholders: {id} the key column, {time} a timestamp, {real} a float, {big} a 64-bit integer,
/// {json} JSON text.
/// </summary>
public static class AccountingSchema
{
    /// <summary>The version this relay writes.</summary>
    public static int Version => Migrations.Count;

    public const string VersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY,
            applied_at {time} NOT NULL,
            description TEXT NOT NULL
        )
        """;

    /// <summary>Migration N (from 1) is element N-1: a description and its statements.</summary>
    public static IReadOnlyList<(string Description, string[] Statements)> Migrations { get; } =
    [
        ("media_sessions and media_streams",
        [
            """
            CREATE TABLE media_sessions (
                id {id},
                record_id TEXT NOT NULL UNIQUE,
                node TEXT NOT NULL,
                call_id TEXT NOT NULL,
                from_tag TEXT,
                to_tag TEXT,
                from_uri TEXT,
                to_uri TEXT,
                start_time {time} NOT NULL,
                end_time {time} NOT NULL,
                duration {real} NOT NULL,
                end_reason TEXT NOT NULL,
                timeout_wait {real} NOT NULL,
                streams INTEGER NOT NULL,
                packets {big} NOT NULL,
                bytes {big} NOT NULL,
                errors {big} NOT NULL,
                kernel_packets {big} NOT NULL,
                info {json} NOT NULL
            )
            """,
            "CREATE INDEX media_sessions_call_id ON media_sessions (call_id)",
            "CREATE INDEX media_sessions_end_time ON media_sessions (end_time)",
            """
            CREATE TABLE media_streams (
                record_id TEXT NOT NULL REFERENCES media_sessions (record_id) ON DELETE CASCADE,
                stream_index INTEGER NOT NULL,
                direction TEXT NOT NULL,
                media_type TEXT NOT NULL,
                codec TEXT,
                protocol TEXT,
                source_tag TEXT,
                source_learned TEXT,
                source_sdp TEXT,
                relay_in TEXT,
                relay_out TEXT,
                destination TEXT,
                interface_in TEXT,
                interface_out TEXT,
                rtp_packets {big} NOT NULL,
                rtp_bytes {big} NOT NULL,
                rtp_user_packets {big} NOT NULL,
                rtp_user_bytes {big} NOT NULL,
                rtp_kernel_packets {big} NOT NULL,
                rtp_kernel_bytes {big} NOT NULL,
                rtp_errors {big} NOT NULL,
                rtcp_packets {big} NOT NULL,
                rtcp_bytes {big} NOT NULL,
                rtcp_user_packets {big} NOT NULL,
                rtcp_user_bytes {big} NOT NULL,
                rtcp_kernel_packets {big} NOT NULL,
                rtcp_kernel_bytes {big} NOT NULL,
                rtcp_errors {big} NOT NULL,
                ssrc {big} NOT NULL,
                packets_lost {big} NOT NULL,
                loss_percent {real} NOT NULL,
                jitter_ms {real} NOT NULL,
                mos {real},
                PRIMARY KEY (record_id, stream_index, direction)
            )
            """,
        ]),
    ];

    /// <summary>The columns of media_sessions the relay writes, in order, with their values.</summary>
    internal static IReadOnlyList<(string Name, Func<AccountingRecord, object?> Value)> SessionColumns { get; } =
    [
        ("record_id", r => r.RecordId),
        ("node", r => r.Node),
        ("call_id", r => r.CallId),
        ("from_tag", r => r.FromTag),
        ("to_tag", r => r.ToTag),
        ("from_uri", r => r.FromUri),
        ("to_uri", r => r.ToUri),
        ("start_time", r => r.StartTime),
        ("end_time", r => r.EndTime),
        ("duration", r => r.Duration),
        ("end_reason", r => r.EndReason),
        ("timeout_wait", r => r.TimeoutWait),
        ("streams", r => r.Streams),
        ("packets", r => r.Packets),
        ("bytes", r => r.Bytes),
        ("errors", r => r.Errors),
        ("kernel_packets", r => r.KernelPackets),
        ("info", r => r.InfoUtf8),
    ];

    /// <summary>The columns of media_streams, in order, with their values.</summary>
    internal static IReadOnlyList<(string Name, Func<DirectionRecord, object?> Value)> DirectionColumns { get; } =
    [
        ("stream_index", d => d.StreamIndex),
        ("direction", d => d.Direction),
        ("media_type", d => d.MediaType),
        ("codec", d => d.Codec),
        ("protocol", d => d.Protocol),
        ("source_tag", d => d.SourceTag),
        ("source_learned", d => d.SourceLearned),
        ("source_sdp", d => d.SourceSdp),
        ("relay_in", d => d.RelayIn),
        ("relay_out", d => d.RelayOut),
        ("destination", d => d.Destination),
        ("interface_in", d => d.InterfaceIn),
        ("interface_out", d => d.InterfaceOut),
        ("rtp_packets", d => d.RtpPackets),
        ("rtp_bytes", d => d.RtpBytes),
        ("rtp_user_packets", d => d.RtpUserPackets),
        ("rtp_user_bytes", d => d.RtpUserBytes),
        ("rtp_kernel_packets", d => d.RtpKernelPackets),
        ("rtp_kernel_bytes", d => d.RtpKernelBytes),
        ("rtp_errors", d => d.RtpErrors),
        ("rtcp_packets", d => d.RtcpPackets),
        ("rtcp_bytes", d => d.RtcpBytes),
        ("rtcp_user_packets", d => d.RtcpUserPackets),
        ("rtcp_user_bytes", d => d.RtcpUserBytes),
        ("rtcp_kernel_packets", d => d.RtcpKernelPackets),
        ("rtcp_kernel_bytes", d => d.RtcpKernelBytes),
        ("rtcp_errors", d => d.RtcpErrors),
        ("ssrc", d => d.Ssrc),
        ("packets_lost", d => d.PacketsLost),
        ("loss_percent", d => d.LossPercent),
        ("jitter_ms", d => d.JitterMs),
        ("mos", d => d.Mos),
    ];
}
