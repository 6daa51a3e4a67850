using System.Diagnostics;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Identity;
using CreAspire.NativeTools;
using Nethereum.Signer;

namespace CreAspire.Chain.Tests.Identity;

public class NodeKeysTests
{
    [Fact]
    public void Keys_are_reproducible_from_seed_and_name_and_distinct_per_node()
    {
        var a = NodeKeys.Derive("creaspire-dev", "wf-0");
        var again = NodeKeys.Derive("creaspire-dev", "wf-0");
        var b = NodeKeys.Derive("creaspire-dev", "wf-1");

        Assert.Equal(a.Address, again.Address);
        Assert.Equal(a.EncryptionPublicKey, again.EncryptionPublicKey);
        Assert.Equal(a.CsaPublicKey, again.CsaPublicKey);
        Assert.NotEqual(a.Address, b.Address);
        Assert.NotEqual(a.EncryptionPublicKey, b.EncryptionPublicKey);
        Assert.Equal(32, a.EncryptionPublicKey.Length);
        Assert.Equal(32, a.CsaPublicKey.Length);
        Assert.Equal(32, a.P2pId.Length);
        Assert.Equal([.. a.AddressBytes, .. new byte[12]], a.SignerBytes32);
    }

    [Fact]
    public void A_given_private_key_gives_the_well_known_address_and_bad_keys_are_named()
    {
        var keys = NodeKeys.FromPrivateKeyHex(DevAccounts.DeployerPrivateKey);

        Assert.Equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", keys.Address);
        Assert.Contains("not hex", Assert.Throws<FormatException>(() => NodeKeys.FromPrivateKeyHex("0xzz")).Message, StringComparison.Ordinal);
        Assert.Contains("got 2 bytes", Assert.Throws<FormatException>(() => NodeKeys.FromPrivateKeyHex("0x0102")).Message, StringComparison.Ordinal);
        Assert.Contains("outside that range", Assert.Throws<FormatException>(() => NodeKeys.FromPrivateKeyHex(new string('0', 64))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Personal_messages_recover_their_signer_and_tampering_changes_it()
    {
        var keys = NodeKeys.Derive("tests", "signer");
        var message = "hello gateway"u8.ToArray();

        var signature = PersonalMessages.Sign(keys.SigningKey, message);

        Assert.Equal(65, signature.Length);
        Assert.Equal(keys.Address, PersonalMessages.RecoverSigner(message, signature));
        Assert.NotEqual(keys.Address, PersonalMessages.RecoverSigner("hello gateway!"u8, signature));
        var v01 = signature.ToArray();
        v01[64] -= 27;
        Assert.Equal(keys.Address, PersonalMessages.RecoverSigner(message, v01));
        Assert.Null(PersonalMessages.RecoverSigner(message, signature.AsSpan(0, 64)));
        Assert.Null(PersonalMessages.RecoverSigner(message, new byte[65]));
        Assert.True(EthECKey.SignRecoverable, "CreAspire.Chain switches Nethereum to the recoverable signing path when it loads");
    }

    [Fact]
    public async Task Personal_signatures_match_what_cast_signs()
    {
        var message = "creaspire"u8.ToArray();
        var info = new ProcessStartInfo(NativeToolPaths.Cast) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "wallet", "sign", "--private-key", DevAccounts.WorkflowOwnerPrivateKey, "creaspire" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.Equal(output.Trim(), "0x" + Convert.ToHexStringLower(PersonalMessages.Sign(DevAccounts.WorkflowOwner, message)));
    }
}
