namespace MediaRelay.Protocols.Rtp;

/// <summary>Names of the static RTP payload types (RFC 3551 section 6, tables 4 and 5).</summary>
public static class RtpPayloadTypes
{
    public static string Name(int payloadType) => payloadType switch
    {
        0 => "PCMU",
        3 => "GSM",
        4 => "G723",
        5 => "DVI4",
        6 => "DVI4",
        7 => "LPC",
        8 => "PCMA",
        9 => "G722",
        10 => "L16",
        11 => "L16",
        12 => "QCELP",
        13 => "CN",
        14 => "MPA",
        15 => "G728",
        18 => "G729",
        25 => "CelB",
        26 => "JPEG",
        31 => "H261",
        32 => "MPV",
        33 => "MP2T",
        34 => "H263",
        _ => "dynamic-" + payloadType.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
