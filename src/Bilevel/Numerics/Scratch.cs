namespace Bilevel.Numerics;

/// <summary>Reusable work buffers: grown once, then reused, so steady-state iterations do not allocate.</summary>
internal static class Scratch
{
    public static void Ensure(ref double[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new double[length];
        }
    }
}
