using System.Runtime.InteropServices;

namespace SidePool.Agent;

/// <summary>libc calls the agent needs (source-generated marshalling: AOT-friendly).</summary>
internal static partial class NativeMethods
{
    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends a signal; false when the process is gone.</summary>
    public static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;
}
