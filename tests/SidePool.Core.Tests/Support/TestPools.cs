using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Core;

namespace SidePool.Core.Tests;

internal static class TestPools
{
    public const string Password = "s3cret-Pa55word";
    public const string ClientPassword = "client-password_0123456789abcdefghijklmnopq";
    public const string User = "orders_app";

    public static readonly DateTimeOffset Old = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ConnectionPoolSpec Spec(int port = 6432, string clientAuth = "trust", string drainTimeout = "5m", bool unixSocket = true)
    {
        return new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } },
            Backend = new BackendSpec
            {
                Host = "orders-db.shop.svc",
                Port = 5432,
                Database = "orders",
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-db-app" },
                Tls = new BackendTls { Mode = "require" },
            },
            Sidecar = new SidecarSpec
            {
                Port = port,
                ClientAuth = clientAuth,
                UnixSocket = unixSocket,
                Resources = new SidePool.Api.ResourceRequirements
                {
                    Requests = new Dictionary<string, string> { ["cpu"] = "50m", ["memory"] = "64Mi" },
                    Limits = new Dictionary<string, string> { ["memory"] = "128Mi" },
                },
            },
            Rollout = new RolloutSpec { DrainTimeout = drainTimeout },
        };
    }

    public static readonly PoolKey Key = new(new byte[32]);

    public static RenderedPool Render(string name, ConnectionPoolSpec spec, InjectionOptions? settings = null, string user = User, string password = Password, string clientPassword = ClientPassword, PoolKey? key = null, string? ca = null)
    {
        settings ??= new InjectionOptions();
        return PoolVersionBuilder.Build(name, spec, new PoolCredentials(user, password, ca), new ClientCredentials(user, clientPassword), key ?? Key, settings, settings.SidecarMode);
    }

    public static PoolInjection Pool(string name, ConnectionPoolSpec? spec = null, DateTimeOffset? created = null, InjectionOptions? settings = null)
    {
        spec ??= Spec();
        return new PoolInjection { Name = name, Spec = spec, CreationTimestamp = created ?? Old, Rendered = Render(name, spec, settings), SidecarMode = settings?.SidecarMode };
    }

    public static JsonObject Pod(string? extraSpec = null) => (JsonObject)JsonNode.Parse($$"""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": { "generateName": "orders-7d9f-", "namespace": "shop", "labels": { "app": "orders" } },
          "spec": {
            {{extraSpec}}
            "containers": [
              { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": 8080 } ] },
              { "name": "worker", "image": "shop/worker:1", "env": [ { "name": "MODE", "value": "jobs" } ] }
            ]
          }
        }
        """)!;
}
