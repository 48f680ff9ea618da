namespace SidePool.Core;

/// <summary>A share to deliver to one pod now.</summary>
public sealed record BudgetDelivery(string Pod, int Share, BudgetDeliveryKind Kind);

public enum BudgetDeliveryKind
{
    /// <summary>Lowers a running pod's share: always allowed, delivered first.</summary>
    Shrink,

    /// <summary>Raises a running pod's share, only when the sum including it fits.</summary>
    Grow,

    /// <summary>A new pod's first share (PgBouncer was paused), only when the sum including it fits.</summary>
    Admit,
}
