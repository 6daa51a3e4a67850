using CreAspire.Attestation.Nitro;
using CreAspire.Attestation.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CreAspire.Attestation.Tests;

/// <summary>
/// The verifier reuses a chain it built, and nothing else: every document's signature, freshness, user data and PCRs are
/// still checked, a different chain is built on its own, and the cache is bounded.
/// </summary>
public sealed class NitroChainCacheTests : IDisposable
{
    private static readonly byte[] UserData = DomainHash.Compute("ConfidentialCapabilityExecute", "{\"workflow_id\":\"00ab\"}"u8);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero));
    private readonly FakeNitroIdentity _identity;
    private readonly NitroAttestationVerifier _verifier;

    public NitroChainCacheTests()
    {
        _identity = FakeNitroIdentity.Create(time: _clock);
        _verifier = NitroAttestationVerifier.FromPem(_identity.CaRootsPem, _identity.TrustedPcrsJson, _clock);
    }

    public void Dispose() => _identity.Dispose();

    [Fact]
    public void Verify_SameChainTwice_BuiltOnceAndBothAccepted()
    {
        _verifier.Verify(_identity.Attest(UserData), UserData);
        Assert.Equal(1, _verifier.CachedChainCount);

        _verifier.Verify(_identity.Attest(UserData), UserData);
        Assert.Equal(1, _verifier.CachedChainCount);
    }

    [Fact]
    public void Verify_CachedChainWithWrongSignature_Rejected()
    {
        _verifier.Verify(_identity.Attest(UserData), UserData);
        var document = _identity.Attest(UserData);
        document[^1] ^= 0x01; // the last byte of the signature

        var failure = Assert.Throws<NitroAttestationException>(() => _verifier.Verify(document, UserData));
        Assert.Equal(NitroFailure.BadSignature, failure.Failure);
    }

    [Fact]
    public void Verify_CachedChainSignedByAnotherKey_Rejected()
    {
        _verifier.Verify(_identity.Attest(UserData), UserData);
        // Same leaf certificate and cabundle bytes (a cache hit for the chain), signed with a key the leaf does not certify.
        using var impostor = FakeNitroIdentity.Create(time: _clock);
        var forged = impostor.Sign(_identity.Contents(UserData));

        var failure = Assert.Throws<NitroAttestationException>(() => _verifier.Verify(forged, UserData));
        Assert.Equal(NitroFailure.BadSignature, failure.Failure);
    }

    [Fact]
    public void Verify_CachedChainWithChangedPcr_RejectedAsPcrMismatch()
    {
        _verifier.Verify(_identity.Attest(UserData), UserData);
        var contents = _identity.Contents(UserData);
        var pcrs = new Dictionary<long, byte[]>(contents.Pcrs!) { [2] = new byte[48] };

        var failure = Assert.Throws<NitroAttestationException>(() => _verifier.Verify(_identity.Sign(contents with { Pcrs = pcrs }), UserData));
        Assert.Equal(NitroFailure.PcrMismatch, failure.Failure);
        Assert.Equal(1, _verifier.CachedChainCount);
    }

    [Fact]
    public void Verify_CachedChainWithOtherUserData_RejectedAsUserDataMismatch()
    {
        _verifier.Verify(_identity.Attest(UserData), UserData);
        var other = DomainHash.Compute("ConfidentialCapabilityExecute", "{\"workflow_id\":\"00cd\"}"u8);

        var failure = Assert.Throws<NitroAttestationException>(() => _verifier.Verify(_identity.Attest(other), UserData));
        Assert.Equal(NitroFailure.UserDataMismatch, failure.Failure);
    }

    [Fact]
    public void Verify_CachedChainWithStaleTimestamp_Rejected()
    {
        _verifier.Verify(_identity.Attest(UserData), UserData);
        var stale = _identity.Attest(UserData, timestamp: _clock.GetUtcNow() - TimeSpan.FromMinutes(10));

        var failure = Assert.Throws<NitroAttestationException>(() => _verifier.Verify(stale, UserData));
        Assert.Equal(NitroFailure.StaleTimestamp, failure.Failure);
    }

    [Fact]
    public void Verify_UntrustedChainAfterTrustedOne_BuiltAndRejected()
    {
        _verifier.Verify(_identity.Attest(UserData), UserData);
        using var untrusted = FakeNitroIdentity.Create(time: _clock);
        var contents = untrusted.Contents(UserData) with { Pcrs = _identity.Contents(UserData).Pcrs };

        var failure = Assert.Throws<NitroAttestationException>(() => _verifier.Verify(untrusted.Sign(contents), UserData));
        Assert.Equal(NitroFailure.UntrustedCertificateChain, failure.Failure);
        Assert.Equal(1, _verifier.CachedChainCount);
    }

    [Fact]
    public void Verify_CachedChainAfterLeafExpired_RejectedAsNotTimeValid()
    {
        var now = _clock.GetUtcNow();
        using var shortLived = _identity.WithLeafValidity(now - TimeSpan.FromMinutes(1), now + TimeSpan.FromMinutes(30));
        _verifier.Verify(shortLived.Attest(UserData), UserData);
        _clock.Advance(TimeSpan.FromHours(1));

        var failure = Assert.Throws<NitroAttestationException>(() => _verifier.Verify(shortLived.Attest(UserData), UserData));
        Assert.Equal(NitroFailure.CertificateNotTimeValid, failure.Failure);
    }

    [Fact]
    public void Verify_CacheDisabled_StillVerifies()
    {
        var verifier = new NitroAttestationVerifier(new NitroVerifierOptions
        {
            CaRoots = [_identity.Root],
            TrustedPcrs = [_identity.TrustedPcrs],
            TimeProvider = _clock,
            ChainCacheCapacity = 0,
        });

        verifier.Verify(_identity.Attest(UserData), UserData);
        verifier.Verify(_identity.Attest(UserData), UserData);
        Assert.Equal(0, verifier.CachedChainCount);
    }

    [Fact]
    public void Cache_OverCapacity_DropsOldestFirst()
    {
        var cache = new VerifiedChainCache(capacity: 2);
        var now = _clock.GetUtcNow();
        var keys = Enumerable.Range(0, 3).Select(i => VerifiedChainCache.KeyOf([(byte)i], [[0xAA]])).ToArray();
        foreach (var key in keys)
        {
            cache.Add(key, now - TimeSpan.FromHours(1), now + TimeSpan.FromHours(1));
        }

        Assert.Equal(2, cache.Count);
        Assert.False(cache.IsVerified(keys[0], now));
        Assert.True(cache.IsVerified(keys[1], now));
        Assert.True(cache.IsVerified(keys[2], now));
    }

    [Fact]
    public void Cache_OutsideWindow_NotVerifiedAndForgotten()
    {
        var cache = new VerifiedChainCache(capacity: 4);
        var now = _clock.GetUtcNow();
        var key = VerifiedChainCache.KeyOf([1], [[2]]);
        cache.Add(key, now, now + TimeSpan.FromMinutes(5));

        Assert.False(cache.IsVerified(key, now - TimeSpan.FromSeconds(1)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void KeyOf_DependsOnEveryCertificateAndItsBoundaries()
    {
        var key = VerifiedChainCache.KeyOf([1, 2], [[3]]);

        Assert.NotEqual(key, VerifiedChainCache.KeyOf([1, 2], [[4]]));
        Assert.NotEqual(key, VerifiedChainCache.KeyOf([1], [[2, 3]]));
        Assert.NotEqual(key, VerifiedChainCache.KeyOf([1, 2], [[3], [3]]));
        Assert.Equal(key, VerifiedChainCache.KeyOf([1, 2], [[3]]));
    }
}
