using System.Globalization;

namespace MediaRelay.Transport.Tests;

public sealed class DescriptorLimitTests
{
    [Fact]
    public void Raise_to_hard_leaves_the_soft_limit_at_the_hard_limit_the_kernel_reports()
    {
        var limit = DescriptorLimit.RaiseToHard();

        Assert.NotNull(limit);
        Assert.Equal(0, limit.RaiseError);
        // /proc/self/limits: "Max open files            SOFT                 HARD                 files".
        var row = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var columns = row["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(long.Parse(columns[1], CultureInfo.InvariantCulture), limit.Hard);
        Assert.Equal(long.Parse(columns[0], CultureInfo.InvariantCulture), limit.Limit);
        Assert.Equal(limit.Hard, limit.Limit);
        Assert.InRange(limit.Before, 1, limit.Limit);
    }
}
