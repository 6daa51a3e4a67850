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

    /// <summary>A valid key whose first byte is zero (1 key in 256): Nethereum 6.1's fast signing path cannot sign with it.</summary>
    private const string LeadingZeroKey = "0x00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f";

    [Fact]
    public async Task A_key_starting_with_a_zero_byte_signs_personal_messages_exactly_as_cast_does()
    {
        var keys = NodeKeys.FromPrivateKeyHex(LeadingZeroKey);
        var message = "creaspire"u8.ToArray();

        var signature = PersonalMessages.Sign(keys.SigningKey, message);

        Assert.Equal(keys.Address, PersonalMessages.RecoverSigner(message, signature));
        Assert.Equal((await CastAsync("wallet", "sign", "--private-key", LeadingZeroKey, "creaspire")).Trim(), "0x" + Convert.ToHexStringLower(signature));
        Assert.Equal((await CastAsync("wallet", "address", "--private-key", LeadingZeroKey)).Trim().ToLowerInvariant(), keys.Address);
    }

    [Fact]
    public void Transactions_refuse_a_key_starting_with_a_zero_byte_in_a_sentence()
    {
        var key = new EthECKey(LeadingZeroKey);

        var error = Assert.Throws<ArgumentException>(() => ChainClients.ForAccount(ChainClients.CreateRpcClient("http://127.0.0.1:9"), key, 1337));

        Assert.StartsWith($"Nethereum 6.1 cannot sign transactions for {key.GetPublicAddress()}: its private key starts with a zero byte", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> CastAsync(params string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await CreAspire.Chain.Testing.Cast.RunAsync(arguments, timeout.Token);
    }
}
