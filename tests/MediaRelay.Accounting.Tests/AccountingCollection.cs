namespace MediaRelay.Accounting.Tests;

/// <summary>The accounting tests run one at a time: each starts a relay process, some a PostgreSQL server too (2 cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AccountingCollection
{
    public const string Name = "accounting";
}
