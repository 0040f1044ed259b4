namespace MediaRelay.Management.Tests.Infrastructure;

/// <summary>Each test runs a relay process and real media; on a two-core machine they run one after another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ManagementCollection
{
    public const string Name = "management";
}
