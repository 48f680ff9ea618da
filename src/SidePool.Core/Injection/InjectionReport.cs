using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>
/// What the answer says besides the patch, in decision order: the warnings for the AdmissionReview, the outcome per
/// pool and the port conflicts (for the pools' <c>Conflict</c> condition).
/// </summary>
internal sealed class InjectionReport
{
    private readonly List<string> warnings = [];
    private readonly List<PoolOutcome> outcomes = [];
    private readonly List<PortConflict> conflicts = [];

    public void Record(PoolDecision decision)
    {
        warnings.AddRange(decision.Warnings);
        if (decision is PoolDecision.Skip { Conflict: { } conflict })
        {
            conflicts.Add(conflict);
        }

        outcomes.Add(decision.Outcome);
    }

    public void Warn(IEnumerable<string> more) => warnings.AddRange(more);

    public InjectionResult Result(JsonArray patch) => new()
    {
        Patch = patch,
        Warnings = warnings,
        Pools = outcomes,
        Conflicts = conflicts,
    };
}
