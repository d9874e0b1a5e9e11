using System.Numerics;
using System.Runtime.InteropServices;

namespace Bilevel.Tensors;

/// <summary>
/// General matrix products C ← α op(A) op(B) + β C on row-major matrices, through the machine's OpenBLAS
/// (<c>cblas_sgemm</c>/<c>cblas_dgemm</c> from Debian's <c>libopenblas0-pthread</c>, loaded with
/// <see cref="NativeLibrary"/>), or a managed SIMD kernel when OpenBLAS is absent (one warning on stderr).
/// </summary>
/// <remarks>
/// OpenBLAS picks its kernels from the CPU unless <c>OPENBLAS_CORETYPE</c> says otherwise (these machines export
/// <c>Haswell</c>, i.e. AVX2 kernels on an AVX-512 CPU); <see cref="Threads"/> sets its thread count.
/// </remarks>
public static unsafe class Blas
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private static readonly Lock InitLock = new();
    private static bool _initialized;
    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private static delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> _dgemm;
    private static delegate* unmanaged<int, void> _setThreads;
    private static delegate* unmanaged<int> _getThreads;
    private static delegate* unmanaged<nint> _getCore;
    private static bool _forceManaged;

    /// <summary>True when OpenBLAS was found and is used.</summary>
    public static bool UsesOpenBlas
    {
        get
        {
            Initialize();
            return _dgemm != null && !_forceManaged;
        }
    }

    /// <summary>Use the managed kernel even when OpenBLAS is present (benchmarks and tests).</summary>
    public static bool ForceManaged
    {
        get => _forceManaged;
        set => _forceManaged = value;
    }

    /// <summary>What computes the products: "OpenBLAS (core Haswell, 2 threads)" or "managed SIMD".</summary>
    public static string Backend
    {
        get
        {
            Initialize();
            if (!UsesOpenBlas)
            {
                return "managed SIMD";
            }

            var core = _getCore != null ? Marshal.PtrToStringUTF8(_getCore()) : null;
            return $"OpenBLAS (core {core ?? "?"}, {Threads} threads)";
        }
    }

    /// <summary>OpenBLAS's thread count (1 for the managed kernel).</summary>
    public static int Threads
    {
        get
        {
            Initialize();
            return _getThreads != null ? _getThreads() : 1;
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            Initialize();
            if (_setThreads != null)
            {
                _setThreads(value);
            }
        }
    }

    private static void Initialize()
    {
        if (Volatile.Read(ref _initialized))
        {
            return;
        }

        lock (InitLock)
        {
            if (_initialized)
            {
                return;
            }

            var path = Environment.GetEnvironmentVariable("BILEVEL_OPENBLAS");
            nint handle = 0;
            var loaded = !string.IsNullOrWhiteSpace(path)
                ? NativeLibrary.TryLoad(path, out handle)
                : NativeLibrary.TryLoad("libopenblas.so.0", out handle) || NativeLibrary.TryLoad("libopenblas.so", out handle);
            if (loaded
                && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm)
                && NativeLibrary.TryGetExport(handle, "cblas_dgemm", out var dgemm))
            {
                _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
                _dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)dgemm;
                if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var set))
                {
                    _setThreads = (delegate* unmanaged<int, void>)set;
                }

                if (NativeLibrary.TryGetExport(handle, "openblas_get_num_threads", out var get))
                {
                    _getThreads = (delegate* unmanaged<int>)get;
                }

                if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out var core))
                {
                    _getCore = (delegate* unmanaged<nint>)core;
                }
            }
            else
            {
                Console.Error.WriteLine("bilevel: OpenBLAS (libopenblas.so.0) not found; matrix products use the slower managed SIMD kernel. Install Debian's libopenblas0-pthread (environment/setup does).");
            }

            Volatile.Write(ref _initialized, true);
        }
    }

    /// <summary>
    /// C[m×n] ← α op(A) op(B) + β C, row-major; op(A) is m×k, op(B) is k×n; <paramref name="lda"/> etc. are row strides
    /// of the stored matrices.
    /// </summary>
    public static void Gemm<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            // op(A) op(B) is an m×n zero matrix: C ← β C.
            for (var i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == T.Zero)
                {
                    row.Clear();
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
                }
            }

            return;
        }

        CheckSize(a, transposeA ? k : m, transposeA ? m : k, lda, "A");
        CheckSize(b, transposeB ? n : k, transposeB ? k : n, ldb, "B");
        CheckSize(c, m, n, ldc, "C");
        Initialize();
        if (!_forceManaged && _dgemm != null)
        {
            fixed (T* pa = a, pb = b, pc = c)
            {
                if (typeof(T) == typeof(double))
                {
                    _dgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k,
                        double.CreateTruncating(alpha), (double*)pa, lda, (double*)pb, ldb, double.CreateTruncating(beta), (double*)pc, ldc);
                }
                else
                {
                    _sgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k,
                        float.CreateTruncating(alpha), (float*)pa, lda, (float*)pb, ldb, float.CreateTruncating(beta), (float*)pc, ldc);
                }
            }

            return;
        }

        ManagedGemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void CheckSize<T>(ReadOnlySpan<T> span, int rows, int columns, int stride, string name)
    {
        if (stride < Math.Max(1, columns) || (rows > 0 && span.Length < ((rows - 1) * stride) + columns))
        {
            throw new ArgumentException($"GEMM: matrix {name} ({rows}×{columns}, row stride {stride}) does not fit its span of {span.Length}");
        }
    }
}
