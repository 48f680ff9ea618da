namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>An expression the fake's CEL subset cannot evaluate honestly (unsupported syntax, function or variable).</summary>
internal sealed class CelUnsupportedException(string message) : Exception(message);

/// <summary>A CEL evaluation error (no such key, no matching overload), as CEL reports at run time.</summary>
internal sealed class CelEvaluationException(string message) : Exception(message);
