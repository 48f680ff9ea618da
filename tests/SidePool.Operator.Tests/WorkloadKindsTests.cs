using Microsoft.Extensions.Logging.Abstractions;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Operator.Controller;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>The operator's table of workload kinds and the core's notion of a restartable owner are the same set.</summary>
public sealed class WorkloadKindsTests
{
    [Fact]
    public void The_table_holds_exactly_the_kinds_the_core_restarts()
    {
        using var client = KubernetesClient.ForServer(new Uri("https://127.0.0.1:1"));
        var table = WorkloadKinds.Create(client, new InformerOptions(), NullLoggerFactory.Instance).Select(k => k.Kind).ToList();
        string[] owners = [WorkloadRef.Deployment, WorkloadRef.StatefulSet, WorkloadRef.DaemonSet, WorkloadRef.ReplicaSet, WorkloadRef.Job, WorkloadRef.CronJob, WorkloadRef.Pod, "Rollout"];

        Assert.Equal(table.Count, table.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(owners.Where(k => new WorkloadRef(k, "x").IsRestartable).Order(StringComparer.Ordinal), table.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_kind_names_its_resource_for_cache_sizes_and_rbac_messages()
    {
        using var client = KubernetesClient.ForServer(new Uri("https://127.0.0.1:1"));

        Assert.Equal(["daemonsets", "deployments", "statefulsets"], WorkloadKinds.Create(client, new InformerOptions(), NullLoggerFactory.Instance).Select(k => k.Plural).Order(StringComparer.Ordinal));
    }
}
