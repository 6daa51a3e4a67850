using System.Text;
using CreAspire.WorkflowNode.Routing;

namespace CreAspire.WorkflowNode.Tests;

public sealed class WorkflowAttributesTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("{}", false)]
    [InlineData("null", false)]
    [InlineData("{\"confidential\":false}", false)]
    [InlineData("{\"confidential\":true}", true)]
    [InlineData("{\"confidential\":true,\"enclave\":\"nitro\"}", true)]
    [InlineData("{\"Confidential\":true,\"future\":{\"nested\":[1,2]}}", true)]
    public void IsConfidential_reads_the_flag_and_tolerates_unknown_keys(string attributes, bool expected)
    {
        var (confidential, error) = WorkflowAttributes.IsConfidential(Encoding.UTF8.GetBytes(attributes));

        Assert.Null(error);
        Assert.Equal(expected, confidential);
    }

    [Theory]
    [InlineData("{\"confidential\": tru")]
    [InlineData("not json")]
    [InlineData("{\"confidential\":\"yes\"}")]
    [InlineData("[true]")]
    [InlineData("{\"vault_don_secrets\":{\"key\":\"A\"}}")]
    public void IsConfidential_returns_an_error_for_malformed_attributes_instead_of_false(string attributes)
    {
        var (confidential, error) = WorkflowAttributes.IsConfidential(Encoding.UTF8.GetBytes(attributes));

        Assert.False(confidential);
        Assert.NotNull(error);
        Assert.StartsWith("failed to parse workflow attributes: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_reads_vault_don_secrets_with_optional_namespace()
    {
        var parsed = WorkflowAttributes.Parse("{\"confidential\":true,\"vault_don_secrets\":[{\"key\":\"A\"},{\"key\":\"B\",\"namespace\":\"ns\"}]}"u8);

        Assert.True(parsed.Confidential);
        Assert.Equal([new WorkflowSecretIdentifier("A"), new WorkflowSecretIdentifier("B", "ns")], parsed.VaultDonSecrets);
        Assert.Empty(WorkflowAttributes.Parse([]).VaultDonSecrets);
        Assert.Empty(WorkflowAttributes.Parse("{\"vault_don_secrets\":null}"u8).VaultDonSecrets);
    }

    /// <summary>
    /// Entries that are null, empty or have no key parsed without error; a confidential engine was created and every
    /// execution then threw NullReferenceException in ConfidentialModule. They are refused when the attributes are parsed.
    /// </summary>
    [Theory]
    [InlineData("{\"confidential\":true,\"vault_don_secrets\":[null]}", "vault_don_secrets[0] is null")]
    [InlineData("{\"confidential\":true,\"vault_don_secrets\":[{}]}", "vault_don_secrets[0] has no \"key\"")]
    [InlineData("{\"confidential\":true,\"vault_don_secrets\":[{\"key\":\"A\"},{\"namespace\":\"ns\"}]}", "vault_don_secrets[1] has no \"key\"")]
    [InlineData("{\"confidential\":true,\"vault_don_secrets\":[{\"key\":\"\"}]}", "vault_don_secrets[0] has no \"key\"")]
    [InlineData("{\"confidential\":true,\"vault_don_secrets\":[{\"key\":null}]}", "vault_don_secrets[0] has no \"key\"")]
    [InlineData("{\"confidential\":true,\"vault_don_secrets\":[{\"key\":\"A\"},null]}", "vault_don_secrets[1] is null")]
    public void Parse_refuses_a_vault_don_secret_entry_that_names_no_secret(string attributes, string entry)
    {
        var ex = Assert.Throws<WorkflowAttributesException>(() => WorkflowAttributes.Parse(Encoding.UTF8.GetBytes(attributes)));

        Assert.StartsWith("failed to parse workflow attributes: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(entry, ex.Message, StringComparison.Ordinal);
        var (confidential, error) = WorkflowAttributes.IsConfidential(Encoding.UTF8.GetBytes(attributes));
        Assert.False(confidential);
        Assert.NotNull(error);
    }

    /// <summary>Found by WorkflowAttributesFuzzTests: shape errors named internal types ("could not be converted to CreAspire.WorkflowNode.Routing.WorkflowAttributes", "System.Boolean").</summary>
    [Theory]
    [InlineData("[true]", "the attributes must be a JSON object, not an array")]
    [InlineData("5", "the attributes must be a JSON object, not a number")]
    [InlineData("{\"confidential\":\"yes\"}", "\"confidential\" must be true or false, not a string")]
    [InlineData("{\"vault_don_secrets\":{\"key\":\"A\"}}", "\"vault_don_secrets\" must be an array of secrets like [{\"key\":\"NAME\"}], not an object")]
    [InlineData("{\"vault_don_secrets\":[\"A\"]}", "vault_don_secrets[0] is a string, not an object")]
    [InlineData("{\"vault_don_secrets\":[{\"key\":7}]}", "vault_don_secrets[0].key must be a string, not a number")]
    [InlineData("{\"vault_don_secrets\":[{\"key\":\"\\ud800\"}]}", "a string is not Unicode text")]
    public void Parse_says_which_member_has_the_wrong_shape_without_internal_type_names(string attributes, string reason)
    {
        var ex = Assert.Throws<WorkflowAttributesException>(() => WorkflowAttributes.Parse(Encoding.UTF8.GetBytes(attributes)));

        Assert.StartsWith("failed to parse workflow attributes: " + reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CreAspire.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", ex.Message, StringComparison.Ordinal);
    }
}
