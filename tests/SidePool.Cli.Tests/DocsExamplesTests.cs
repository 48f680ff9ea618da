using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace SidePool.Cli.Tests;

/// <summary>
/// The docs (<c>README.md</c>, <c>docs/*.md</c>) and <c>config/samples/</c> checked against the code, so they cannot
/// drift (issue 9). Every example goes through the CLI's own path for a manifest file:
/// <see cref="YamlManifests.Parse"/> then <see cref="ConnectionPoolReader.Read"/> (deserializer and
/// <see cref="ConnectionPoolValidator"/>), exactly what <c>kubectl-sidepool render -f</c> does.
/// <list type="bullet">
/// <item>Fenced blocks must name their language. <c>yaml</c>, <c>yml</c> and <c>json</c> blocks are read document
/// by document: a document with <c>kind</c> or <c>apiVersion</c> is a ConnectionPool (kind ConnectionPool or an
/// apiVersion naming sidepool) and must validate, or one of <see cref="OtherKinds"/> and is counted as skipped,
/// or fails. A document without them is a fragment: top-level keys that are all spec fields (<c>pool:</c>,
/// <c>sidecar:</c>…) or <c>spec:</c> (with optional <c>metadata:</c>) are merged, mapping by mapping with the
/// fragment winning, over <see cref="MinimalPool"/> (which supplies only the required fields) and validated; a
/// lone <c>status:</c> is an excerpt of operator output whose keys must be ConnectionPoolStatus fields (its
/// values are elided with … in the docs and are not checked); anything else fails.</item>
/// <item>An inline example is a code span <c>name: value</c> outside fenced blocks whose name is a spec field:
/// a field name (<c>clientAuth</c>), a path below spec (<c>rollout.repairMissing</c>) or from spec
/// (<c>spec.pool.size</c>). In a table row whose first cell is a spec field, names resolve below that field
/// first. A name matching several fields (<c>port</c>, <c>mode</c>) fails: write the path. The value is read as
/// YAML, set at that path in <see cref="MinimalPool"/> and validated; the errors on that field (or below it) are
/// the example's (<c>key: ca.crt</c> says nothing about caSecret.name); <c>a → b</c> is two examples. A code span
/// naming a spec path (<c>spec.sidecar.image</c>) must name an existing field.</item>
/// <item>Rows of tables whose first cell is a spec field (the reference table of docs/configuration.md): the
/// field exists; the Default cell starts with <c>required</c> (the model says [Required]), <c>none</c> (no
/// default) or the default as a code span, equal to the model's, and its <c>key: value</c> spans are the
/// defaults of sub-fields; a field with allowed values lists all of them, and every code span in its row that
/// looks like a value (letters, digits, '-') is validated as one; a field with a range states it as
/// <c>min–max</c>. Every model field without sub-fields is covered by a row of docs/configuration.md (its own or
/// an enclosing object's).</item>
/// <item>SidePool's API group is written <c>sidepool.dev</c> and its version <c>v1alpha1</c> everywhere in the docs,
/// code blocks included (<c>sidepool.json</c>, the agent's file, is the only other <c>sidepool.*</c> name).</item>
/// </list>
/// </summary>
public sealed partial class DocsExamplesTests(ITestOutputHelper output)
{
    /// <summary>The required fields and nothing else: a fragment's own mistakes are the only ones left.</summary>
    private const string MinimalPool = """
        apiVersion: sidepool.dev/v1alpha1
        kind: ConnectionPool
        metadata:
          name: docs-example
        spec:
          selector:
            matchLabels:
              app: docs-example
          backend:
            host: db.example
            database: app
            credentialsSecret:
              name: app-db
        """;

    /// <summary>Kinds that are not SidePool's and may appear in the docs (skipped, counted).</summary>
    private static readonly IReadOnlySet<string> OtherKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "Secret", "ConfigMap", "Namespace", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
        "CronJob", "Service", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "CustomResourceDefinition", "Lease",
        "Event", "Config", "ExecCredential", "AdmissionReview", "Status",
    };

    private static readonly IReadOnlySet<string> YamlLanguages = new HashSet<string>(StringComparer.Ordinal) { "yaml", "yml", "json" };

    private static readonly Lazy<IReadOnlyList<Markdown>> AllDocs = new(() =>
        Directory.GetFiles(Repository.Path("docs"), "*.md")
            .Order(StringComparer.Ordinal)
            .Prepend(Repository.Path("README.md"))
            .Select(path => Markdown.Parse(System.IO.Path.GetRelativePath(Repository.Root, path), File.ReadAllText(path)))
            .ToList());

    private const string ConfigurationDoc = "docs/configuration.md";

    private const string ParametersHeading = "## Allowed `spec.pool.parameters`";

    [Fact]
    public void YamlBlocksInTheDocsAreValidPoolsOrKnownOtherKinds()
    {
        var failures = new List<string>();
        var tally = new Tally();
        foreach (var doc in AllDocs.Value)
        {
            CheckFences(doc, tally, failures);
        }

        output.WriteLine(tally.ToString());
        AssertNone(failures, "fenced blocks in the docs");
        Assert.True(tally.YamlDocuments > 0, "no YAML block found in the docs: is the extraction broken?");
        Assert.Equal(tally.YamlDocuments, tally.Pools + tally.Fragments + tally.StatusExcerpts + tally.Skipped.Values.Sum());
    }

    [Fact]
    public void InlineFieldExamplesInTheDocsAreAccepted()
    {
        var failures = new List<string>();
        var checkedExamples = AllDocs.Value.Sum(doc => CheckInlineExamples(doc, failures));
        output.WriteLine($"{checkedExamples} inline spec field examples checked");
        AssertNone(failures, "inline field examples in the docs");
        Assert.True(checkedExamples > 10, $"only {checkedExamples} inline examples found: is the extraction broken?");
    }

    [Fact]
    public void ConfigurationReferenceMatchesTheModel()
    {
        var failures = new List<string>();
        var doc = AllDocs.Value.Single(d => d.File == ConfigurationDoc);
        var rows = CheckFieldRows(doc, failures);
        foreach (var field in SpecModel.Leaves)
        {
            if (!rows.Any(r => field.Path == r.Field || field.Path.StartsWith(r.Field + ".", StringComparison.Ordinal)))
            {
                failures.Add($"{ConfigurationDoc}: {field.Path} is a field of the model but no row of the reference table covers it");
            }
        }

        foreach (var duplicate in rows.GroupBy(r => r.Field).Where(g => g.Count() > 1))
        {
            failures.Add($"{ConfigurationDoc}:{duplicate.Last().Line}: {duplicate.Key} has {duplicate.Count()} rows");
        }

        output.WriteLine($"{rows.Count} reference rows checked against {SpecModel.Leaves.Count} model fields");
        AssertNone(failures, "the reference table of docs/configuration.md");
        Assert.True(rows.Count > 20, $"only {rows.Count} reference rows found: is the extraction broken?");
    }

    [Fact]
    public void ParameterAllowListMatchesTheValidator()
    {
        var failures = new List<string>();
        var listed = CheckParameters(AllDocs.Value.Single(d => d.File == ConfigurationDoc), failures);
        AssertNone(failures, "the parameter allow-list in docs/configuration.md");
        Assert.True(listed > 30, $"only {listed} settings listed: is the extraction broken?");
    }

    /// <summary>The section "Allowed `spec.pool.parameters`" against the validator's allow-list; returns the settings named.</summary>
    private static int CheckParameters(Markdown doc, List<string> failures)
    {
        var section = doc.Section(ParametersHeading);
        if (section.Count == 0)
        {
            failures.Add($"{doc.File}: no section \"{ParametersHeading}\"");
            return 0;
        }

        var mentioned = new HashSet<string>(StringComparer.Ordinal);
        var restart = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, text) in section)
        {
            foreach (Match span in SettingSpan().Matches(text))
            {
                var key = span.Groups["key"].Value;
                mentioned.Add(key);
                var allowed = PgBouncerParameters.Allowed.TryGetValue(key, out var rule);
                var refusedHere = text.Contains("refused", StringComparison.Ordinal);
                if (allowed == refusedHere)
                {
                    failures.Add(allowed
                        ? $"{doc.File}:{line}: `{key}` is named as refused, but the validator allows it"
                        : $"{doc.File}:{line}: `{key}` is listed as allowed, but the validator refuses it (not in PgBouncerParameters.Allowed)");
                }

                var note = span.Groups["note"].Value;
                if (rule is not null && LimitNote().Match(note) is { Success: true } limit
                    && double.Parse(limit.Groups["max"].Value, CultureInfo.InvariantCulture) != rule.Max)
                {
                    failures.Add($"{doc.File}:{line}: `{key}` ({note}): the validator's maximum is {rule.Max.ToString(CultureInfo.InvariantCulture)}");
                }

                if (note.Contains("restart", StringComparison.Ordinal))
                {
                    restart.Add(key);
                }
            }
        }

        foreach (var key in PgBouncerParameters.Allowed.Keys.Where(k => !mentioned.Contains(k)))
        {
            failures.Add($"{doc.File}: `{key}` is allowed by the validator but not listed under \"{ParametersHeading}\"");
        }

        var needRestart = PgBouncerParameters.Allowed.Keys.Where(PgBouncerSettings.NonReloadable.Contains).ToHashSet(StringComparer.Ordinal);
        if (!restart.SetEquals(needRestart))
        {
            failures.Add($"{doc.File}: settings marked (restart): {string.Join(", ", restart.Order(StringComparer.Ordinal))}; PgBouncer cannot reload: {string.Join(", ", needRestart.Order(StringComparer.Ordinal))}");
        }

        return mentioned.Count;
    }

    [Fact]
    public void SidePoolApiGroupIsSidepoolDevEverywhere()
    {
        var failures = new List<string>();
        var mentions = AllDocs.Value.Sum(doc => CheckApiGroup(doc, failures));
        output.WriteLine($"{mentions} mentions of SidePool's API group checked");
        AssertNone(failures, "API group mentions in the docs");
        Assert.True(mentions > 5, $"only {mentions} API group mentions found: is the extraction broken?");
    }

    [Fact]
    public void SamplesAreValidPools()
    {
        var failures = new List<string>();
        var tally = new Tally();
        var files = Directory.GetFiles(Repository.Path("config", "samples"), "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var name = System.IO.Path.GetRelativePath(Repository.Root, file);
            var before = tally.YamlDocuments;
            CheckYaml(name, 0, File.ReadAllText(file), tally, failures);
            if (tally.YamlDocuments == before)
            {
                failures.Add($"{name}: no document");
            }
        }

        output.WriteLine(tally.ToString());
        AssertNone(failures, "config/samples");
        Assert.True(tally.Pools >= 3, $"only {tally.Pools} ConnectionPools in config/samples");
        Assert.Equal(tally.YamlDocuments, tally.Pools + tally.Skipped.GetValueOrDefault("Secret"));
    }

    /// <summary>The checks above would pass on empty docs; this shows each of them catching what issue 9 found.</summary>
    [Fact]
    public void ChecksCatchTheDriftOfIssue9()
    {
        var doc = Markdown.Parse("drift.md", """
            | Field | Default | PgBouncer |
            |---|---|---|
            | `spec.sidecar.clientAuth` | `trust` | method: `trust` or `scram-sha-256` |
            | `spec.pool.size` | `20` | `default_pool_size` (1–100) |
            | `spec.sidecar.tls` | none | |

            Set `clientAuth: scram-sha-256`, or `port: 7432`, or `pool.size: 10 → 0`.

            ```csharp
            new ApiResource("sidepool.io", "v1alpha1", "connectionpools", "ConnectionPool", Namespaced: true)
            ```

            ```yaml
            pool: {mode: sessions}
            ```

            ```yaml
            apiVersion: apps/v2
            kind: Widget
            ```

            ```
            untagged
            ```

            ```yaml
            status:
              targets: {pods: 1, ready: 1}
            ```

            ```yaml
            apiVersion: sidepool.io/v1alpha1
            kind: ConnectionPool
            metadata: {name: p}
            spec:
              selector: {matchLabels: {app: a}}
              backend: {host: db, database: d, credentialsSecret: {name: c}}
              sidecar: {clientAuth: scram-sha-256}
            ```
            """);
        var failures = new List<string>();
        CheckFieldRows(doc, failures);
        CheckInlineExamples(doc, failures);
        CheckApiGroup(doc, failures);
        CheckFences(doc, new Tally(), failures);
        string[] expected =
        [
            "drift.md:3: spec.sidecar.clientAuth: unsupported value \"scram-sha-256\": must be one of trust, scram",
            "drift.md:3: spec.sidecar.clientAuth: allowed value `scram` is not listed",
            "drift.md:4: spec.pool.size: default `20`, the model's is `10`",
            "drift.md:4: spec.pool.size: the range 1–10000 is not stated",
            "drift.md:5: spec.sidecar.tls: no such field in the model",
            "drift.md:5: `spec.sidecar.tls`: spec.sidecar.tls is not a field of ConnectionPoolSpec",
            "drift.md:7: `clientAuth: scram-sha-256`: spec.sidecar.clientAuth: unsupported value \"scram-sha-256\": must be one of trust, scram",
            "drift.md:7: `port: 7432`: names several fields (spec.backend.port, spec.sidecar.port): write the path",
            "drift.md:7: `pool.size: 10 → 0`: spec.pool.size: must be between 1 and 10000",
            "drift.md:10: `sidepool.io`: SidePool's API group is sidepool.dev",
            "drift.md:32: `sidepool.io`: SidePool's API group is sidepool.dev",
            "drift.md:32: `apiVersion: sidepool.io/v1alpha1`: must be apiVersion: sidepool.dev/v1alpha1",
            "drift.md:14: spec.pool.mode: unsupported value \"sessions\": must be one of session, transaction, statement",
            "drift.md:18: kind Widget (apps/v2) is neither a ConnectionPool nor a known other kind",
            "drift.md:22: fenced block without a language (```yaml blocks are validated; tag others ```text, ```sh…)",
            "drift.md:28: status.targets.ready: unknown field",
            "drift.md:32: apiVersion: must be sidepool.dev/v1alpha1",
            "drift.md:38: spec.sidecar.clientAuth: unsupported value \"scram-sha-256\": must be one of trust, scram",
        ];
        Assert.Equal(expected, failures);

        var parameters = Markdown.Parse("parameters.md", """
            ## Allowed `spec.pool.parameters`

            `max_db_connections`, `tcp_keepcnt` (≤ 255), `pkt_buf`, `auth_type`.

            Anything else (e.g. `verbose`) is refused.
            """);
        failures.Clear();
        CheckParameters(parameters, failures);
        Assert.Contains("parameters.md:3: `tcp_keepcnt` (≤ 255): the validator's maximum is 127", failures);
        Assert.Contains("parameters.md:3: `auth_type` is listed as allowed, but the validator refuses it (not in PgBouncerParameters.Allowed)", failures);
        Assert.Contains("parameters.md:5: `verbose` is named as refused, but the validator allows it", failures);
        Assert.Contains("parameters.md: `query_timeout` is allowed by the validator but not listed under \"## Allowed `spec.pool.parameters`\"", failures);
        Assert.Contains("parameters.md: settings marked (restart): ; PgBouncer cannot reload: listen_backlog, pkt_buf", failures);
    }

    // ---- fenced blocks ----

    private static void CheckFences(Markdown doc, Tally tally, List<string> failures)
    {
        foreach (var fence in doc.Fences)
        {
            if (fence.Language.Length == 0)
            {
                failures.Add($"{doc.File}:{fence.Line}: fenced block without a language (```yaml blocks are validated; tag others ```text, ```sh…)");
            }
            else if (YamlLanguages.Contains(fence.Language))
            {
                CheckYaml(doc.File, fence.Line, fence.Body, tally, failures);
            }
            else
            {
                tally.OtherBlocks[fence.Language] = tally.OtherBlocks.GetValueOrDefault(fence.Language) + 1;
            }
        }

        foreach (var line in doc.UnclosedFences)
        {
            failures.Add($"{doc.File}:{line}: fenced block is not closed");
        }
    }

    /// <summary>One YAML text (a fenced block whose fence is line <paramref name="fenceLine"/>, or a whole file with 0).</summary>
    private static void CheckYaml(string file, int fenceLine, string text, Tally tally, List<string> failures)
    {
        IReadOnlyList<JsonObject> documents;
        var stream = new YamlStream();
        try
        {
            documents = YamlManifests.Parse(text, "block");
            stream.Load(new StringReader(text));
        }
        catch (UserError e)
        {
            failures.Add($"{file}:{fenceLine}: {e.Message}");
            return;
        }

        // YamlManifests skips empty documents and refuses other non-mappings: the mappings pair up in order.
        var roots = stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        Assert.Equal(documents.Count, roots.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            tally.YamlDocuments++;
            CheckDocument(file, fenceLine, documents[i], roots[i], tally, failures);
        }
    }

    private static void CheckDocument(string file, int fenceLine, JsonObject document, YamlMappingNode root, Tally tally, List<string> failures)
    {
        var at = fenceLine + (int)root.Start.Line;
        var keys = document.Select(p => p.Key).ToList();
        var kind = document["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        var apiVersion = document["apiVersion"] is JsonValue a && a.TryGetValue<string>(out var v) ? v : null;
        if (kind is not null || apiVersion is not null)
        {
            if (kind == Naming.Kind || (apiVersion?.Contains("sidepool", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                tally.Pools++;
                Report(file, fenceLine, root, spec: "spec", Validate(document), failures);
            }
            else if (kind is not null && OtherKinds.Contains(kind))
            {
                tally.Skipped[kind] = tally.Skipped.GetValueOrDefault(kind) + 1;
            }
            else
            {
                failures.Add($"{file}:{at}: kind {kind ?? "(none)"} ({apiVersion ?? "no apiVersion"}) is neither a ConnectionPool nor a known other kind");
            }

            return;
        }

        if (keys.Count > 0 && keys.All(SpecModel.TopLevel.Contains))
        {
            tally.Fragments++;
            Report(file, fenceLine, root, spec: null, Validate(Wrap(document, null)), failures);
        }
        else if (keys.Contains("spec") && keys.All(key => key is "spec" or "metadata") && document["spec"] is JsonObject spec)
        {
            tally.Fragments++;
            Report(file, fenceLine, root, spec: "spec", Validate(Wrap(spec, document["metadata"] as JsonObject)), failures);
        }
        else if (keys is ["status"])
        {
            tally.StatusExcerpts++;
            var errors = new List<FieldError>();
            CheckKeys(document["status"], typeof(ConnectionPoolStatus), "status", errors);
            Report(file, fenceLine, root, spec: "spec", errors, failures);
        }
        else
        {
            failures.Add($"{file}:{at}: neither a manifest (no kind) nor a ConnectionPool spec fragment (top-level keys: {string.Join(", ", keys)})");
        }
    }

    /// <summary>Keys of an output excerpt against the model (values are elided in the docs).</summary>
    private static void CheckKeys(JsonNode? node, Type type, string path, List<FieldError> errors)
    {
        var info = ApiJsonContext.Default.GetTypeInfo(type);
        if (info is { Kind: JsonTypeInfoKind.Object } && node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                var property = info.Properties.FirstOrDefault(p => p.Name == key);
                if (property is null)
                {
                    errors.Add(new($"{path}.{key}", "unknown field"));
                }
                else
                {
                    CheckKeys(value, property.PropertyType, $"{path}.{key}", errors);
                }
            }
        }
        else if (info is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } && node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                CheckKeys(array[i], element, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", errors);
            }
        }
    }

    /// <summary>One failure per field error, at the line of the field in the block (as deep as it can be found).</summary>
    private static void Report(string file, int fenceLine, YamlMappingNode root, string? spec, IReadOnlyList<FieldError> errors, List<string> failures)
    {
        foreach (var error in errors)
        {
            failures.Add($"{file}:{fenceLine + Locate(root, error.Field, spec)}: {error}");
        }
    }

    private static int Locate(YamlMappingNode root, string field, string? spec)
    {
        var segments = field.Replace("[", ".[", StringComparison.Ordinal).Split('.').ToList();
        if (spec is null && segments is ["spec", ..])
        {
            segments.RemoveAt(0); // a fragment is the spec itself
        }

        YamlNode node = root;
        var line = (int)root.Start.Line;
        foreach (var segment in segments)
        {
            if (node is YamlMappingNode mapping && mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: var key } && key == segment) is { Key: { } keyNode, Value: { } valueNode })
            {
                line = (int)keyNode.Start.Line;
                node = valueNode;
            }
            else if (node is YamlSequenceNode sequence && segment.StartsWith('[') && int.TryParse(segment[1..^1], CultureInfo.InvariantCulture, out var index) && index < sequence.Children.Count)
            {
                node = sequence.Children[index];
                line = (int)node.Start.Line;
            }
            else
            {
                break;
            }
        }

        return line;
    }

    // ---- inline examples ----

    /// <summary>Returns the number of spec field examples checked.</summary>
    private static int CheckInlineExamples(Markdown doc, List<string> failures)
    {
        var count = 0;
        foreach (var (line, text, rowField) in doc.ProseSpans)
        {
            foreach (Match path in SpecPath().Matches(text))
            {
                if (SpecModel.TopLevel.Contains(path.Groups["first"].Value) && SpecModel.Find(path.Value) is null)
                {
                    failures.Add($"{doc.File}:{line}: `{text}`: {path.Value} is not a field of ConnectionPoolSpec");
                }
            }

            if (InlineExample().Match(text) is not { Success: true } example)
            {
                continue;
            }

            var name = example.Groups["name"].Value;
            var candidates = SpecModel.Resolve(name, rowField);
            if (candidates.Count == 0)
            {
                continue; // not a spec field: another object's (restartPolicy: Always) or a label
            }

            if (candidates.Count > 1)
            {
                failures.Add($"{doc.File}:{line}: `{text}`: names several fields ({string.Join(", ", candidates.Select(c => c.Path))}): write the path");
                continue;
            }

            foreach (var value in example.Groups["value"].Value.Split(" → "))
            {
                count++;
                foreach (var error in ValidateValue(candidates[0].Path, value))
                {
                    failures.Add($"{doc.File}:{line}: `{text}`: {error}");
                }
            }
        }

        return count;
    }

    // ---- the reference table ----

    private sealed record FieldRow(int Line, string Field);

    private static List<FieldRow> CheckFieldRows(Markdown doc, List<string> failures)
    {
        var rows = new List<FieldRow>();
        foreach (var row in doc.Rows)
        {
            if (row.Cells.Count == 0 || FieldCell().Match(row.Cells[0]) is not { Success: true } cell)
            {
                continue;
            }

            var path = cell.Groups["path"].Value;
            var where = $"{doc.File}:{row.Line}: {path}";
            rows.Add(new(row.Line, path));
            if (SpecModel.Find(path) is not { } field)
            {
                failures.Add($"{where}: no such field in the model");
                continue;
            }

            var defaultColumn = row.Header.FindIndex(h => h.Trim().Equals("Default", StringComparison.Ordinal));
            if (defaultColumn > 0 && defaultColumn < row.Cells.Count)
            {
                CheckDefault(where, field, row.Cells[defaultColumn].Trim(), failures);
            }

            var spans = row.Cells.Skip(1).SelectMany(c => CodeSpan().Matches(c).Select(m => m.Groups[1].Value)).ToList();
            if (field.Property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
            {
                foreach (var value in spans.Where(s => ValueLike().IsMatch(s)).Distinct())
                {
                    foreach (var error in ValidateValue(path, value))
                    {
                        failures.Add($"{doc.File}:{row.Line}: {error}");
                    }
                }

                foreach (var value in allowed.Values.Select(v => $"{v}").Where(v => !spans.Contains(v)))
                {
                    failures.Add($"{where}: allowed value `{value}` is not listed");
                }
            }

            if (field.Property.GetCustomAttribute<RangeAttribute>() is { } range)
            {
                var stated = $"{range.Minimum}–{range.Maximum}";
                if (!row.Cells.Skip(1).Any(c => c.Contains(stated, StringComparison.Ordinal)))
                {
                    failures.Add($"{where}: the range {stated} is not stated");
                }
            }
        }

        return rows;
    }

    private static void CheckDefault(string where, SpecField field, string cell, List<string> failures)
    {
        var required = field.Property.GetCustomAttribute<RequiredAttribute>() is not null;
        var modelDefault = SpecModel.DefaultAt(field.Path);
        var spans = CodeSpan().Matches(cell).Select(m => m.Groups[1].Value).ToList();
        if (required != cell.StartsWith("required", StringComparison.Ordinal))
        {
            failures.Add(required
                ? $"{where}: the model requires it: the Default cell must start with \"required\" (found \"{cell}\")"
                : $"{where}: documented as required, the model has a default ({Show(modelDefault)})");
        }
        else if (required)
        {
            // nothing more to compare
        }
        else if (cell.StartsWith("none", StringComparison.Ordinal))
        {
            if (modelDefault is not null)
            {
                failures.Add($"{where}: documented without default, the model's is {Show(modelDefault)}");
            }
        }
        else if (cell.StartsWith('`') && !InlineExample().IsMatch(spans[0]))
        {
            if (ParseValue(field.Path, spans[0]) is var (value, error) && error is not null)
            {
                failures.Add($"{where}: default `{spans[0]}`: {error}");
            }
            else if (!JsonNode.DeepEquals(Normalize(value), Normalize(modelDefault)))
            {
                failures.Add($"{where}: default `{spans[0]}`, the model's is {Show(modelDefault)}");
            }
        }
        else if (!cell.StartsWith('`'))
        {
            failures.Add($"{where}: the Default cell must start with the default as `code`, \"required\" or \"none\" (found \"{cell}\")");
        }

        // `key: value` in the cell: defaults of sub-fields
        foreach (var span in spans)
        {
            if (InlineExample().Match(span) is { Success: true } sub)
            {
                var subPath = $"{field.Path}.{sub.Groups["name"].Value}";
                if (SpecModel.Find(subPath) is null)
                {
                    failures.Add($"{where}: `{span}`: {subPath} is not a field of the model");
                }
                else if (ParseValue(subPath, sub.Groups["value"].Value) is var (value, error) && error is not null)
                {
                    failures.Add($"{where}: `{span}`: {error}");
                }
                else if (!JsonNode.DeepEquals(Normalize(value), Normalize(SpecModel.DefaultAt(subPath))))
                {
                    failures.Add($"{where}: `{span}`: the model's default of {subPath} is {Show(SpecModel.DefaultAt(subPath))}");
                }
            }
        }
    }

    // ---- API group ----

    /// <summary>Returns the number of mentions checked.</summary>
    private static int CheckApiGroup(Markdown doc, List<string> failures)
    {
        var count = 0;
        for (var i = 0; i < doc.Lines.Count; i++)
        {
            var text = doc.Lines[i];
            var where = $"{doc.File}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            foreach (Match name in SidePoolDomain().Matches(text))
            {
                count++;
                if (name.Groups["label"].Value != "dev" && name.Value != VersionContract.Files.Agent)
                {
                    failures.Add($"{where}: `{name.Value}`: SidePool's API group is {Naming.Group}");
                }
            }

            foreach (Match version in GroupVersion().Matches(text))
            {
                count++;
                if (version.Groups["version"].Value != Naming.Version)
                {
                    failures.Add($"{where}: `{version.Value}`: SidePool's API version is {Naming.ApiVersion}");
                }
            }

            foreach (Match apiVersion in ApiVersionField().Matches(text))
            {
                count++;
                if (apiVersion.Groups["value"].Value.Contains("sidepool", StringComparison.OrdinalIgnoreCase) && apiVersion.Groups["value"].Value != Naming.ApiVersion)
                {
                    failures.Add($"{where}: `{apiVersion.Value}`: must be apiVersion: {Naming.ApiVersion}");
                }
            }
        }

        return count;
    }

    // ---- validation through the CLI's path ----

    private static IReadOnlyList<FieldError> Validate(JsonObject manifest)
    {
        try
        {
            ConnectionPoolReader.Read(manifest, "docs");
            return [];
        }
        catch (InvalidManifestException e)
        {
            return e.Errors;
        }
    }

    private static JsonObject Wrap(JsonObject spec, JsonObject? metadata)
    {
        var pool = YamlManifests.Parse(MinimalPool, "minimal pool")[0];
        Merge((JsonObject)pool["spec"]!, spec);
        if (metadata is not null)
        {
            Merge((JsonObject)pool["metadata"]!, metadata);
        }

        return pool;
    }

    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (target[key] is JsonObject into && value is JsonObject from)
            {
                Merge(into, from);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>A value read as YAML by the CLI's reader, set at <paramref name="path"/> (spec.…) in the minimal pool.</summary>
    private static IReadOnlyList<string> ValidateValue(string path, string value)
    {
        var (node, error) = ParseValue(path, value);
        if (error is not null)
        {
            return [error];
        }

        var fragment = new JsonObject();
        var at = fragment;
        var segments = path.Split('.')[1..];
        foreach (var segment in segments[..^1])
        {
            var next = new JsonObject();
            at[segment] = next;
            at = next;
        }

        at[segments[^1]] = node;
        return [.. Validate(Wrap(fragment, null)).Where(e => About(e, path)).Select(e => e.ToString())];
    }

    /// <summary>An error on the field or below it (not a sibling the example leaves out, such as caSecret.name for `key: ca.crt`).</summary>
    private static bool About(FieldError error, string path) =>
        error.Field == path || error.Field.StartsWith(path + ".", StringComparison.Ordinal) || error.Field.StartsWith(path + "[", StringComparison.Ordinal);

    private static (JsonNode? Value, string? Error) ParseValue(string path, string value)
    {
        try
        {
            return (YamlManifests.Parse($"value: {value}", path)[0]["value"]?.DeepClone(), null);
        }
        catch (UserError e)
        {
            return (null, $"{path}: `{value}` is not a YAML value ({e.Message})");
        }
    }

    private static JsonNode? Normalize(JsonNode? node) => node is null ? null : JsonNode.Parse(node.ToJsonString());

    private static string Show(JsonNode? node) => node is null ? "none" : $"`{node.ToJsonString()}`";

    private static void AssertNone(List<string> failures, string what)
    {
        if (failures.Count > 0)
        {
            Assert.Fail($"{failures.Count} problem(s) in {what}:\n{string.Join("\n", failures)}");
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^(?<name>[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*): (?<value>.+)$")]
    private static partial Regex InlineExample();

    [GeneratedRegex(@"^\s*`(?<path>spec(\.[A-Za-z][A-Za-z0-9]*)+)`\s*$")]
    private static partial Regex FieldCell();

    [GeneratedRegex(@"(?<![\w.])spec\.(?<first>[A-Za-z][A-Za-z0-9]*)(\.[A-Za-z][A-Za-z0-9]*)*")]
    private static partial Regex SpecPath();

    [GeneratedRegex("^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")]
    private static partial Regex ValueLike();

    [GeneratedRegex(@"`(?<key>[a-z][a-z0-9]*(_[a-z0-9]+)*)`(\s*\((?<note>[^)]*)\))?")]
    private static partial Regex SettingSpan();

    [GeneratedRegex(@"≤\s*(?<max>[0-9]+)")]
    private static partial Regex LimitNote();

    [GeneratedRegex(@"(?<![A-Za-z0-9-])sidepool\.(?<label>[a-z][a-z0-9-]*)")]
    private static partial Regex SidePoolDomain();

    [GeneratedRegex(@"sidepool\.[a-z]+/(?<version>v[0-9]+((alpha|beta)[0-9]+)?)(?![A-Za-z0-9-])|""sidepool\.[a-z]+"",\s*""(?<version>[^""]*)""")]
    private static partial Regex GroupVersion();

    [GeneratedRegex(@"apiVersion""?:\s*[""']?(?<value>[^\s""',}`]+)")]
    private static partial Regex ApiVersionField();

    private sealed class Tally
    {
        public int YamlDocuments { get; set; }

        public int Pools { get; set; }

        public int Fragments { get; set; }

        public int StatusExcerpts { get; set; }

        public Dictionary<string, int> Skipped { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> OtherBlocks { get; } = new(StringComparer.Ordinal);

        public override string ToString() =>
            $"YAML documents: {YamlDocuments} ({Pools} ConnectionPools, {Fragments} spec fragments, {StatusExcerpts} status excerpts; skipped: {Format(Skipped)}); other fenced blocks: {Format(OtherBlocks)}";

        private static string Format(Dictionary<string, int> counts) =>
            counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
    }
}

/// <summary>A spec field: its path (<c>spec.backend.tls.mode</c>) and the model property carrying its rules.</summary>
internal sealed record SpecField(string Path, PropertyInfo Property, Type Type);

/// <summary>The fields of <see cref="ConnectionPoolSpec"/> as the JSON reader sees them (the label selector is Kubernetes').</summary>
internal static class SpecModel
{
    public static IReadOnlyList<SpecField> Fields { get; } = Walk(typeof(ConnectionPoolSpec), "spec");

    public static IReadOnlySet<string> TopLevel { get; } =
        Fields.Where(f => f.Path.Count(c => c == '.') == 1).Select(f => f.Path["spec.".Length..]).ToHashSet(StringComparer.Ordinal);

    /// <summary>Fields without sub-fields (the label selector counts as one).</summary>
    public static IReadOnlyList<SpecField> Leaves { get; } =
        Fields.Where(f => !Fields.Any(g => g.Path.StartsWith(f.Path + ".", StringComparison.Ordinal))).ToList();

    public static SpecField? Find(string path) => Fields.FirstOrDefault(f => f.Path == path);

    /// <summary>Fields a name in the docs may mean: a path from spec, or a name or path below spec (below <paramref name="row"/> first).</summary>
    public static IReadOnlyList<SpecField> Resolve(string name, string? row)
    {
        if (name.StartsWith("spec.", StringComparison.Ordinal))
        {
            return Find(name) is { } exact ? [exact] : [];
        }

        var all = Fields.Where(f => f.Path.EndsWith("." + name, StringComparison.Ordinal)).ToList();
        var below = row is null ? [] : all.Where(f => f.Path.StartsWith(row + ".", StringComparison.Ordinal) || f.Path == row).ToList();
        return below.Count > 0 ? below : all;
    }

    /// <summary>The model's default at a path (null: none); below a field without default, that type's defaults.</summary>
    public static JsonNode? DefaultAt(string path)
    {
        var node = DefaultOf(typeof(ConnectionPoolSpec));
        var prefix = "spec";
        var segments = path.Split('.')[1..];
        for (var i = 0; i < segments.Length; i++)
        {
            prefix += "." + segments[i];
            var child = node?[segments[i]];
            if (i == segments.Length - 1)
            {
                return child?.DeepClone();
            }

            node = child ?? DefaultOf(Find(prefix)!.Type);
        }

        return node;
    }

    private static JsonNode? DefaultOf(Type type)
    {
        var info = ApiJsonContext.Default.GetTypeInfo(type)!;
        return JsonSerializer.SerializeToNode(JsonSerializer.Deserialize("{}", info), info);
    }

    private static List<SpecField> Walk(Type type, string prefix)
    {
        var fields = new List<SpecField>();
        foreach (var property in ApiJsonContext.Default.GetTypeInfo(type)!.Properties)
        {
            var clr = type.GetProperties().Single(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name) == property.Name);
            var path = $"{prefix}.{property.Name}";
            fields.Add(new(path, clr, property.PropertyType));
            if (property.PropertyType != typeof(LabelSelector) && ApiJsonContext.Default.GetTypeInfo(property.PropertyType) is { Kind: JsonTypeInfoKind.Object })
            {
                fields.AddRange(Walk(property.PropertyType, path));
            }
        }

        return fields;
    }
}

/// <summary>What the checks need from a Markdown file: fenced blocks, table rows, code spans outside fences.</summary>
internal sealed partial class Markdown
{
    public required string File { get; init; }

    public required IReadOnlyList<string> Lines { get; init; }

    public List<Fence> Fences { get; } = [];

    public List<int> UnclosedFences { get; } = [];

    public List<TableRow> Rows { get; } = [];

    /// <summary>Code spans outside fenced blocks, with the spec field of their table row if any.</summary>
    public List<(int Line, string Text, string? RowField)> ProseSpans { get; } = [];

    public sealed record Fence(int Line, string Language, string Body);

    public sealed record TableRow(int Line, List<string> Header, List<string> Cells);

    public static Markdown Parse(string file, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var doc = new Markdown { File = file, Lines = lines };
        List<string>? header = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            if (FenceOpen().Match(lines[i]) is { Success: true } open)
            {
                header = null;
                var marker = open.Groups["marker"].Value;
                var indent = open.Groups["indent"].Value.Length;
                var body = new List<string>();
                var closed = false;
                for (i++; i < lines.Length; i++)
                {
                    if (lines[i].TrimStart().StartsWith(marker, StringComparison.Ordinal) && lines[i].Trim().Trim(marker[0]).Length == 0)
                    {
                        closed = true;
                        break;
                    }

                    var line = lines[i];
                    var strip = Math.Min(indent, line.Length - line.TrimStart(' ').Length);
                    body.Add(line[strip..]);
                }

                doc.Fences.Add(new(lineNumber, open.Groups["info"].Value.Trim().Split(' ')[0], string.Join("\n", body)));
                if (!closed)
                {
                    doc.UnclosedFences.Add(lineNumber);
                }

                continue;
            }

            string? rowField = null;
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith('|'))
            {
                var cells = UnescapedPipe().Split(trimmed.Trim('|')).ToList();
                if (header is null)
                {
                    header = cells;
                }
                else if (!cells.All(c => TableSeparator().IsMatch(c)))
                {
                    doc.Rows.Add(new(lineNumber, header, cells));
                    rowField = RowField().Match(cells[0]) is { Success: true } f ? f.Groups["path"].Value : null;
                }
            }
            else
            {
                header = null;
            }

            foreach (Match span in Span().Matches(lines[i]))
            {
                doc.ProseSpans.Add((lineNumber, span.Groups[1].Value, rowField));
            }
        }

        return doc;
    }

    /// <summary>The lines (number, text) after a heading, up to the next heading of the same or a higher level.</summary>
    public List<(int Line, string Text)> Section(string heading)
    {
        var start = Lines.ToList().IndexOf(heading);
        if (start < 0)
        {
            return [];
        }

        var level = heading.TakeWhile(c => c == '#').Count();
        var section = new List<(int, string)>();
        for (var i = start + 1; i < Lines.Count; i++)
        {
            var hashes = Lines[i].TakeWhile(c => c == '#').Count();
            if (hashes > 0 && hashes <= level && Lines[i].Length > hashes && Lines[i][hashes] == ' ')
            {
                break;
            }

            section.Add((i + 1, Lines[i]));
        }

        return section;
    }

    [GeneratedRegex(@"^(?<indent>\s*)(?<marker>```+|~~~+)(?<info>.*)$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();

    [GeneratedRegex(@"^\s*:?-+:?\s*$")]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"^\s*`(?<path>spec(\.[A-Za-z][A-Za-z0-9]*)+)`\s*$")]
    private static partial Regex RowField();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Span();
}
