using MediaRelay.Fuzz;
using SharpFuzz;

// fuzz/run.sh runs "dotnet MediaRelay.Fuzz.dll TARGET" under afl-fuzz, against instrumented copies of the relay's
// assemblies. "replay TARGET FILE|DIR..." runs inputs once (a finding, a corpus) and says which one fails.
if (args.Length == 1 && args[0] == "list")
{
    foreach (var target in FuzzTargets.All)
    {
        Console.WriteLine($"{target.Name}\t{target.Description}");
    }

    return 0;
}

if (args.Length >= 3 && args[0] == "replay" && FuzzTargets.Find(args[1]) is { } replayed)
{
    var failed = 0;
    var files = args.Skip(2).SelectMany<string, string>(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : [p]).ToList();
    foreach (var file in files)
    {
        try
        {
            replayed.Run(File.ReadAllBytes(file));
            if (replayed.Name == "relay")
            {
                Console.WriteLine($"{file}: {RelayTarget.Last}");
            }
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }

    Console.WriteLine($"{replayed.Name}: {files.Count} inputs, {failed} failed");
    return failed == 0 ? 0 : 1;
}

if (args.Length == 1 && FuzzTargets.Find(args[0]) is { } fuzzed)
{
    var buffer = new MemoryStream();
    Fuzzer.Run(stream =>
    {
        buffer.SetLength(0);
        stream.CopyTo(buffer);
        fuzzed.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    });
    return 0;
}

Console.Error.WriteLine("usage: MediaRelay.Fuzz list | TARGET (under afl-fuzz) | replay TARGET FILE|DIR...");
Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
return 2;
