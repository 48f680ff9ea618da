namespace SidePool.Kubernetes.Tests.Support;

/// <summary>Finds /work/shared/reference (or SIDEPOOL_REFERENCE_DIR) by walking up from the test binaries.</summary>
public static class ReferenceData
{
    public static string Root { get; } = Find();

    public static string Golden(string relative) => Path.Combine(Root, "client-go-golden", relative);

    public static string OpenApi(string relative) => Path.Combine(Root, "k8s-openapi-v3-1.35", relative);

    private static string Find()
    {
        var configured = Environment.GetEnvironmentVariable("SIDEPOOL_REFERENCE_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "reference"), Path.Combine(dir.FullName, "reference") })
            {
                if (Directory.Exists(Path.Combine(candidate, "client-go-golden")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/reference not found above the test folder; set SIDEPOOL_REFERENCE_DIR.");
    }
}
