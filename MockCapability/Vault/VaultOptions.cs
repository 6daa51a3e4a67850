using System.ComponentModel.DataAnnotations;

namespace CreAspire.MockCapability.Vault;

/// <summary>vault@1.0.0 configuration (section <c>Vault</c>). The AppHost gives every capability node the same MasterKey.</summary>
public sealed class VaultOptions
{
    public const string SectionName = "Vault";

    /// <summary>Anvil account #1, the default workflow owner of the local topology.</summary>
    public const string DefaultSeedOwner = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    /// <summary>Shared by the capability DON; makes honest nodes seal byte-identical boxes.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Vault:MasterKey is required; the AppHost sets the same value on every capability node (Vault__MasterKey).")]
    public string MasterKey { get; set; } = "";

    /// <summary>Secrets written at start: Vault:Seed:MOCK_SECRET=value.</summary>
    public Dictionary<string, string> Seed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Owner of the seeded secrets.</summary>
    [RegularExpression("^0x[0-9a-fA-F]{40}$", ErrorMessage = "Vault:SeedOwner must be a 0x address.")]
    public string SeedOwner { get; set; } = DefaultSeedOwner;

    public string SeedNamespace { get; set; } = Protocol.Capabilities.CapabilityIds.DefaultSecretNamespace;
}
