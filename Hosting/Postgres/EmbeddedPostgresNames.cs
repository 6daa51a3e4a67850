namespace CreAspire.Hosting.Postgres;

internal static class EmbeddedPostgresNames
{
    public const string UserName = "postgres";
}
