namespace MediaRelay.Control.Listeners;

/// <summary>
/// Finds one complete request at the start of what a stream connection has buffered: the length of the request
/// (its terminator included), 0 when more bytes are needed, or -1 when the bytes can never form a request.
/// </summary>
public delegate int StreamFraming(ReadOnlySpan<byte> buffered);

/// <summary>Runs one framed request and returns the bytes to write back (empty: write nothing). Must not throw.</summary>
public delegate byte[] StreamRequestHandler(ReadOnlySpan<byte> request);
