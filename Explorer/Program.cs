namespace CreAspire.Explorer;

/// <summary>`dotnet CreAspire.Explorer.dll`: the explorer web resource (configuration: see ExplorerOptions).</summary>
public static class Program
{
    public static void Main(string[] args) => ExplorerApplication.Build(args).Run();
}
