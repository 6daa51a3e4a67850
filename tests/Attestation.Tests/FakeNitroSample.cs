namespace CreAspire.Attestation.Tests;

/// <summary>
/// One fixed document of the fake NSM (FakeNitroIdentity.Attest at 2026-11-23T12:00Z, user_data = the secrets-get domain
/// hash, a 65-byte public key, nonce 01 02 03) and the root that signed it: fixed bytes, so the fuzz tests over it run
/// the same inputs on every machine. Verify it with a clock at <see cref="Time"/> (its leaf is valid for 30 days).
/// </summary>
internal static class FakeNitroSample
{
    public const string DocumentBase64 =
        "hEShATgioFkGJ79pbW9kdWxlX2lkeCdpLTAwMDAwMDAwMDAwMDAwMDAwLWVuYzAwMDAwMDAwMDAwMDAwMDBmZGlnZXN0ZlNIQTM4NGl0aW1lc3" +
        "RhbXAbAAABoghG/gBkcGNyc6MAWDByu/hx4RWG+xiFMcO2kjmsyHc9/xAUbt7zUBPIu+sz7ZFTd55p/pcFbbLipLERZIQBWDALA3+t64BPX+V3" +
        "MgOdw4F+ECFHLV9qVpY+o17PtRS4vnpC3sXF/en/Qb7c5IxjwWoCWDDvWC0mEmWWcet43m2iW5xo2ocvY8fBOcaaQylrmwP4qnONM32fsax65j" +
        "LXJ+PE0clrY2VydGlmaWNhdGVZAkMwggI/MIIBxaADAgECAhB8YhJxjVb/wDKNMdzoHdzbMAoGCCqGSM49BAMDMGoxMDAuBgNVBAsTJ2ktMDAw" +
        "MDAwMDAwMDAwMDAwMDAtZW5jMDAwMDAwMDAwMDAwMDAwMDESMBAGA1UEChMJQ3JlQXNwaXJlMSIwIAYDVQQDExljcmVhc3BpcmUuZmFrZS1uaX" +
        "Ryby1yb290MB4XDTI2MTEyMzExNTUwMFoXDTI2MTIyMzEyMDAwMFowWTESMBAGA1UEChMJQ3JlQXNwaXJlMUMwQQYDVQQDEzppLTAwMDAwMDAw" +
        "MDAwMDAwMDAwLWVuYzAwMDAwMDAwMDAwMDAwMDAuZmFrZS1uaXRyby1lbmNsYXZlMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEeZaCZogI4QxOJA" +
        "1oHNpKU/GnJWuTusgDD1NO2zMxMNe7uWlX047wKZwkwduOy3o5Pe6g6AanehFeLQctpoQzSlgOdZzIN1za3KyV6ZvFCHT8TmTjLs1iWAfrlcIu" +
        "pHOHo0EwPzAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAfBgNVHSMEGDAWgBSIVxemBn4teMxqYGq0DXglOvCDvjAKBggqhkjOPQQDAw" +
        "NoADBlAjBZDE+lxjk0pUK5+L+JoGu3pNrNfFv/D3aid5A+ZGY6IRvSMR8A9YWKPTUd4EWIgn0CMQCdI0fZ1k4UXEWGE5Ww826Qd4FQfAzV485h" +
        "l2I3NaCIp9saOYtb24EinyMEX6wOr2ZoY2FidW5kbGWBWQJPMIICSzCCAdCgAwIBAgIJANwahhNkCAv+MAoGCCqGSM49BAMDMGoxMDAuBgNVBA" +
        "sTJ2ktMDAwMDAwMDAwMDAwMDAwMDAtZW5jMDAwMDAwMDAwMDAwMDAwMDESMBAGA1UEChMJQ3JlQXNwaXJlMSIwIAYDVQQDExljcmVhc3BpcmUu" +
        "ZmFrZS1uaXRyby1yb290MB4XDTI2MTEyMzExNTUwMFoXDTM2MTEyMzEyMDAwMFowajEwMC4GA1UECxMnaS0wMDAwMDAwMDAwMDAwMDAwMC1lbm" +
        "MwMDAwMDAwMDAwMDAwMDAwMRIwEAYDVQQKEwlDcmVBc3BpcmUxIjAgBgNVBAMTGWNyZWFzcGlyZS5mYWtlLW5pdHJvLXJvb3QwdjAQBgcqhkjO" +
        "PQIBBgUrgQQAIgNiAARz9ZKXoj50zERxod7Jd2XqJEGVW8VDJtgVxSVUedapZOtgLb1y0efMhFGavS8F3NK0W8tvsZwD6IUyTeVz60qt58SJy8" +
        "bpJix5LSsieg8gGYeQNMZIDZMW6C2LWblIENujQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBSIVxemBn4t" +
        "eMxqYGq0DXglOvCDvjAKBggqhkjOPQQDAwNpADBmAjEAwK65S6yyam/1uxW4cwYWyfip/uRFMBqCJPtlArsIUUHeAsinWF6ZS6So4Ws2QIxBAj" +
        "EAwwOl3nJ8A5BtMBUgThYVy7gv/ZmRQijfPs/wQPk1zaNVv7oPO2N32X9jwysyKF52anB1YmxpY19rZXlYQQAAAAAAAAAAAAAAAAAAAAAAAAAA" +
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAaXVzZXJfZGF0YVggnvL2F1BV8+vspbOLWQhYfWY9GUYLzBpHRG" +
        "WZWemDgt1lbm9uY2VDAQID/1hgOjzN9Vkis3/CTLG2R+G59kvi9wpNSmOB6jmXvV8j7PIXK+zjTwUZI9wAyk/g5vSgOXiDogCtl1wacFhxZ3Uy" +
        "gSB8g7ol25jrPpz2L6oPPvxTuE3uBSPrdDRHrm2lCUCu";

    public const string CaRootsPem =
        "-----BEGIN CERTIFICATE-----\n" +
        "MIICSzCCAdCgAwIBAgIJANwahhNkCAv+MAoGCCqGSM49BAMDMGoxMDAuBgNVBAsT\n" +
        "J2ktMDAwMDAwMDAwMDAwMDAwMDAtZW5jMDAwMDAwMDAwMDAwMDAwMDESMBAGA1UE\n" +
        "ChMJQ3JlQXNwaXJlMSIwIAYDVQQDExljcmVhc3BpcmUuZmFrZS1uaXRyby1yb290\n" +
        "MB4XDTI2MTEyMzExNTUwMFoXDTM2MTEyMzEyMDAwMFowajEwMC4GA1UECxMnaS0w\n" +
        "MDAwMDAwMDAwMDAwMDAwMC1lbmMwMDAwMDAwMDAwMDAwMDAwMRIwEAYDVQQKEwlD\n" +
        "cmVBc3BpcmUxIjAgBgNVBAMTGWNyZWFzcGlyZS5mYWtlLW5pdHJvLXJvb3QwdjAQ\n" +
        "BgcqhkjOPQIBBgUrgQQAIgNiAARz9ZKXoj50zERxod7Jd2XqJEGVW8VDJtgVxSVU\n" +
        "edapZOtgLb1y0efMhFGavS8F3NK0W8tvsZwD6IUyTeVz60qt58SJy8bpJix5LSsi\n" +
        "eg8gGYeQNMZIDZMW6C2LWblIENujQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P\n" +
        "AQH/BAQDAgEGMB0GA1UdDgQWBBSIVxemBn4teMxqYGq0DXglOvCDvjAKBggqhkjO\n" +
        "PQQDAwNpADBmAjEAwK65S6yyam/1uxW4cwYWyfip/uRFMBqCJPtlArsIUUHeAsin\n" +
        "WF6ZS6So4Ws2QIxBAjEAwwOl3nJ8A5BtMBUgThYVy7gv/ZmRQijfPs/wQPk1zaNV\n" +
        "v7oPO2N32X9jwysyKF52\n" +
        "-----END CERTIFICATE-----\n";

    public const string UserDataHex = "9EF2F6175055F3EBECA5B38B5908587D663D19460BCC1A4744659959E98382DD";

    public static readonly DateTimeOffset Time = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static byte[] Document => Convert.FromBase64String(DocumentBase64);

    public static byte[] UserData => Convert.FromHexString(UserDataHex);
}
