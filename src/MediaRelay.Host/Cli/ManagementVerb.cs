using System.CommandLine;

namespace MediaRelay.Host.Cli;

/// <summary>
/// Builds one CLI verb that talks to a running relay: the management options, then the action, whose
/// <see cref="CliException"/> is printed as "mediarelay: ..." with exit code 1.
/// </summary>
internal static class ManagementVerb
{
    public static Command Create(string name, string description, Func<ParseResult, ManagementClient, TextWriter, CancellationToken, Task<int>> action,
        params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        var target = new ManagementTarget();
        target.AddTo(command);
        command.SetAction(async (result, cancellation) =>
        {
            try
            {
                using var client = target.Connect(result);
                return await action(result, client, Console.Out, cancellation).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await Console.Error.WriteLineAsync("mediarelay: " + e.Message).ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return 0; // Ctrl+C ends `top`.
            }
        });
        return command;
    }
}
