using System.Text;
using SidePool.Sandbox.Kubelet;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>A container's environment as the kubelet builds it: envFrom, then env in order; references; failures.</summary>
public sealed class EnvironmentBuilderTests
{
    private static readonly Pod Pod = new()
    {
        Metadata = new ObjectMeta { Name = "web-0", NamespaceProperty = "shop", Uid = "u-1", Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new PodSpec { NodeName = "n1", Containers = [] },
    };

    private sealed class Objects(params Secret[] secrets) : IObjectLookup
    {
        public Secret? Secret(string @namespace, string name) => secrets.FirstOrDefault(s => s.Metadata?.NamespaceProperty == @namespace && s.Metadata?.Name == name);

        public ConfigMap? ConfigMap(string @namespace, string name) => null;
    }

    private static Secret Secret(string name, params (string Key, string Value)[] data) => new()
    {
        Metadata = new ObjectMeta { Name = name, NamespaceProperty = "shop" },
        Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)),
    };

    [Fact]
    public void EnvFrom_comes_first_env_follows_in_order_and_only_literal_values_are_expanded_against_what_came_before()
    {
        var container = new Container
        {
            Name = "app",
            EnvFrom = [new EnvFromSource { SecretRef = new SecretEnvSource { Name = "all" }, Prefix = "DB_" }],
            Env =
            [
                new EnvVar { Name = "LATER_REF", Value = "$(PASSWORD)" },
                new EnvVar { Name = "PASSWORD", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "creds", Key = "password" } } },
                new EnvVar { Name = "URL", Value = "postgres://$(DB_user):$(PASSWORD)@$(POD_NAME).$(NS)/x" },
                new EnvVar { Name = "POD_NAME", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new EnvVar { Name = "NS", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                new EnvVar { Name = "APP", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
                new EnvVar { Name = "IP", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "status.podIP" } } },
                new EnvVar { Name = "RAW", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "creds", Key = "raw" } } },
                new EnvVar { Name = "MISSING_OK", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "nope", Key = "x", Optional = true } } },
                new EnvVar { Name = "DB_user", Value = "override" },
            ],
        };
        var objects = new Objects(Secret("creds", ("password", "s3cret"), ("raw", "$(PASSWORD)")), Secret("all", ("user", "app"), ("bad key", "skipped")));

        var env = EnvironmentBuilder.Build(container, Pod, objects, "127.0.0.1");

        Assert.Equal(
            [
                ("DB_user", "override"), ("LATER_REF", "$(PASSWORD)"), ("PASSWORD", "s3cret"), ("URL", "postgres://app:s3cret@$(POD_NAME).$(NS)/x"),
                ("POD_NAME", "web-0"), ("NS", "shop"), ("APP", "web"), ("IP", "127.0.0.1"), ("RAW", "$(PASSWORD)"),
            ],
            env.Select(e => (e.Key, e.Value)).ToArray());
    }

    [Fact]
    public void The_dependent_environment_variables_example_of_the_Kubernetes_docs_gives_the_documented_values()
    {
        // https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
        var container = new Container
        {
            Name = "dependent-envars-demo",
            Env =
            [
                new EnvVar { Name = "SERVICE_PORT", Value = "80" },
                new EnvVar { Name = "SERVICE_IP", Value = "172.17.0.1" },
                new EnvVar { Name = "UNCHANGED_REFERENCE", Value = "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)" },
                new EnvVar { Name = "PROTOCOL", Value = "https" },
                new EnvVar { Name = "SERVICE_ADDRESS", Value = "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)" },
                new EnvVar { Name = "ESCAPED_REFERENCE", Value = "$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)" },
            ],
        };

        var env = EnvironmentBuilder.Build(container, Pod, new Objects(), "127.0.0.1").ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("$(PROTOCOL)://172.17.0.1:80", env["UNCHANGED_REFERENCE"]);
        Assert.Equal("https://172.17.0.1:80", env["SERVICE_ADDRESS"]);
        Assert.Equal("$(PROTOCOL)://172.17.0.1:80", env["ESCAPED_REFERENCE"]);
    }

    [Fact]
    public void A_missing_secret_or_key_is_a_config_error_unless_optional_and_args_expand_with_the_final_environment()
    {
        var missingSecret = new Container { Name = "a", Env = [new EnvVar { Name = "X", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "nope", Key = "k" } } }] };
        var missingKey = new Container { Name = "a", Env = [new EnvVar { Name = "X", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "creds", Key = "k" } } }] };
        var objects = new Objects(Secret("creds", ("password", "p")));

        Assert.Equal("secret \"nope\" not found", Assert.Throws<ContainerConfigException>(() => EnvironmentBuilder.Build(missingSecret, Pod, objects, "127.0.0.1")).Message);
        Assert.Equal("couldn't find key k in Secret shop/creds", Assert.Throws<ContainerConfigException>(() => EnvironmentBuilder.Build(missingKey, Pod, objects, "127.0.0.1")).Message);
        Assert.Equal(["--port", "6432", "$(UNSET)", "$(PORT)"], EnvironmentBuilder.ExpandArguments(["--port", "$(PORT)", "$(UNSET)", "$$(PORT)"], [KeyValuePair.Create("PORT", "6432")]));
    }
}
