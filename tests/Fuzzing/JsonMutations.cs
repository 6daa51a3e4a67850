using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreAspire.Fuzzing;

/// <summary>
/// Structure-aware mutations of a valid JSON message: each value in the document replaced by each hostile value
/// (wrong types, null, empty and huge strings, numbers beyond every range, deep nesting, control characters), each
/// member removed and each member duplicated; plus seeded random combinations of those. Hostile values are spliced in
/// as raw text, so they may be anything, also JSON a serializer would never write.
/// </summary>
public static class JsonMutations
{
    private const string Placeholder = "__fuzz_placeholder__";

    /// <summary>Raw JSON texts put in place of a value.</summary>
    public static IReadOnlyList<string> HostileValues { get; } =
    [
        "null", "true", "false", "0", "-1", "1.5", "-0", "1e309", "-1e309", "18446744073709551616", "-9223372036854775809", "-9223372036854775808", "9223372036854775807",
        "4294967296", "2147483648", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"0x\"", "\"not base64 %%\"", "\"" + new string('x', 5000) + "\"",
        "{}", "[]", "[null]", "{\"\":null}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ];

    /// <summary>Every value replaced by every hostile value, every member and element removed, every member duplicated.</summary>
    public static IEnumerable<Mutant> Systematic(string validJson)
    {
        ArgumentNullException.ThrowIfNull(validJson);
        var paths = Paths(Parse(validJson)).ToArray();
        foreach (var path in paths)
        {
            foreach (var (hostile, index) in HostileValues.Select((h, i) => (h, i)))
            {
                yield return Mutate(validJson, $"{Describe(path)} = hostile value {index}", [(path, hostile)]);
            }

            if (path.Length > 0)
            {
                yield return Remove(validJson, path);
            }
        }

        foreach (var member in paths.Where(p => p.Length > 0 && p[^1] is string))
        {
            yield return Duplicate(validJson, member);
        }
    }

    /// <summary><paramref name="count"/> seeded random mutants: 1 to 3 values replaced at once, some also byte-edited.</summary>
    public static IEnumerable<Mutant> Random(string validJson, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(validJson);
        var random = new Random(seed);
        var paths = Paths(Parse(validJson)).ToArray();
        for (var i = 0; i < count; i++)
        {
            var edits = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => (paths[random.Next(paths.Length)], HostileValues[random.Next(HostileValues.Count)]))
                .DistinctBy(e => Describe(e.Item1))
                .Where((e, index) => index == 0 || e.Item1.Length > 0)
                .ToArray();
            var mutant = Mutate(validJson, $"random JSON mutant {i} (seed {seed})", edits);
            if (random.Next(4) == 0)
            {
                var edited = Mutations.Random(mutant.Bytes, 1, random.Next()).Single();
                mutant = mutant with { Bytes = edited.Bytes, Label = mutant.Label + " + byte edit" };
            }

            yield return mutant;
        }
    }

    private static Mutant Mutate(string validJson, string label, IReadOnlyList<(object[] Path, string Raw)> edits)
    {
        var root = Parse(validJson);
        var raws = new List<string>();
        foreach (var (path, raw) in edits)
        {
            if (path.Length == 0)
            {
                return new Mutant(label, Encoding.UTF8.GetBytes(raw));
            }

            var marker = Placeholder + raws.Count;
            raws.Add(raw);
            var parent = Navigate(root, path[..^1]);
            if (parent is JsonObject obj && path[^1] is string name)
            {
                obj[name] = marker;
            }
            else if (parent is JsonArray array && path[^1] is int index && index < array.Count)
            {
                array[index] = marker;
            }
        }

        var text = root!.ToJsonString();
        for (var i = 0; i < raws.Count; i++)
        {
            text = text.Replace($"\"{Placeholder}{i}\"", raws[i], StringComparison.Ordinal);
        }

        return new Mutant(label, Encoding.UTF8.GetBytes(text));
    }

    private static Mutant Remove(string validJson, object[] path)
    {
        var root = Parse(validJson);
        var parent = Navigate(root, path[..^1]);
        if (parent is JsonObject obj)
        {
            obj.Remove((string)path[^1]);
        }
        else if (parent is JsonArray array)
        {
            array.RemoveAt((int)path[^1]);
        }

        return new Mutant($"{Describe(path)} removed", Encoding.UTF8.GetBytes(root!.ToJsonString()));
    }

    /// <summary>The member written twice, the second time with a hostile value (last-wins and first-wins parsers differ).</summary>
    private static Mutant Duplicate(string validJson, object[] path)
    {
        var name = (string)path[^1];
        var text = Mutate(validJson, "", [(path, Placeholder + "dup")]).Bytes;
        var json = Encoding.UTF8.GetString(text);
        var member = JsonSerializer.Serialize(name) + ":";
        var original = Navigate(Parse(validJson), path)?.ToJsonString() ?? "null";
        json = json.Replace(member + "\"" + Placeholder + "dup\"", member + original + "," + member + "null", StringComparison.Ordinal);
        return new Mutant($"{Describe(path)} duplicated", Encoding.UTF8.GetBytes(json));
    }

    private static JsonNode? Parse(string json) => JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });

    private static JsonNode? Navigate(JsonNode? node, object[] path)
    {
        // A path an earlier edit replaced no longer leads anywhere: null, and that edit is skipped.
        foreach (var step in path)
        {
            node = (node, step) switch
            {
                (JsonObject obj, string name) => obj[name],
                (JsonArray array, int index) when index < array.Count => array[index],
                _ => null,
            };
        }

        return node;
    }

    private static IEnumerable<object[]> Paths(JsonNode? node, object[]? prefix = null)
    {
        prefix ??= [];
        yield return prefix;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToArray())
                {
                    foreach (var path in Paths(child, [.. prefix, name]))
                    {
                        yield return path;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var path in Paths(array[i], [.. prefix, i]))
                    {
                        yield return path;
                    }
                }

                break;
        }
    }

    private static string Describe(object[] path) =>
        path.Length == 0 ? "$" : "$" + string.Concat(path.Select(p => p is string name ? "." + name : $"[{p}]"));
}
