using System.Numerics;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Autodiff;

/// <summary>
/// Sentence-encoder operations for paper 004 (BO-REP, Hao, Gong &amp; Liu, ICLR 2024): its hyper-representation,
/// hyperparameter-optimization and data-cleaning experiments encode a sentence of frozen word vectors with a
/// 2-layer Elman RNN (tanh) and max-pool the outputs over time; sentences of a batch have different lengths, so the
/// batch is padded to a common length L and each sentence carries its length. The public code packs the padded
/// batch (<c>pack_padded_sequence</c>), so the recurrence never runs over padding.
/// </summary>
/// <remarks>
/// Padding convention (all operations here): position t of sequence n is real when t &lt; lengthₙ and padding
/// otherwise, 1 ≤ lengthₙ ≤ L. Padding never influences a real value or any gradient: the RNN stops each sequence at
/// its length and writes zero outputs at padded steps (what <c>pad_packed_sequence</c> returns), no adjoint flows
/// into padded inputs, and <see cref="MaxOverTime{T}"/> pools over the real steps only.
/// </remarks>
public static partial class Operations
{
    /// <summary>
    /// Embedding lookup (gather): Y[n, t, :] = E[tokens[n·L + t], :] for a table E of V × D rows, giving N × L × D.
    /// Linear in E: Ẏ[n, t] = Ė[token]; the adjoint scatter-adds, Ē[token] += Ȳ[n, t] and Ē̇[token] += Ȳ̇[n, t]
    /// (a token that occurs several times receives the sum). A frozen table (paper 004's GloVe vectors) is a
    /// <see cref="Graph{T}.Constant"/>; a trainable one is a parameter.
    /// </summary>
    /// <param name="graph">The pass.</param>
    /// <param name="table">E, V × D.</param>
    /// <param name="tokens">Token ids, row-major N × L, each in [0, V) (padded positions too, unless
    /// <paramref name="lengths"/> is given). Copied: later changes to the caller's array do not affect the pass.</param>
    /// <param name="batch">N.</param>
    /// <param name="length">L.</param>
    /// <param name="lengths">Optional lengths (N entries in [1, L]): positions t ≥ lengthₙ are zero rows whose tokens
    /// are not read (so any id, e.g. −1, may pad) and receive nothing in the adjoint.</param>
    public static Variable<T> Embedding<T>(this Graph<T> graph, Variable<T> table, ReadOnlyMemory<int> tokens, int batch, int length, ReadOnlyMemory<int> lengths = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(table);
        if (table.Value.Rank != 2)
        {
            throw new ArgumentException($"Embedding needs a V × D table, got [{string.Join(", ", table.Shape)}]", nameof(table));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var positions = checked(batch * length);
        if (tokens.Length != positions)
        {
            throw new ArgumentException($"Embedding: {tokens.Length} tokens for batch {batch} × length {length} = {positions} positions", nameof(tokens));
        }

        var lens = lengths.IsEmpty ? null : CheckLengths(graph, lengths.Span, batch, length, "Embedding");
        var vocabulary = table.Shape[0];
        var width = table.Shape[1];
        // A copy from the graph's index arena: the adjoint reads the ids after the caller may have reused its array.
        var ids = graph.AllocateIndices(positions);
        tokens.Span.CopyTo(ids);
        for (var n = 0; n < batch; n++)
        {
            var real = lens?[n] ?? length;
            for (var t = 0; t < real; t++)
            {
                var id = ids[(n * length) + t];
                if ((uint)id >= (uint)vocabulary)
                {
                    throw new ArgumentException($"Embedding: token id {id} at position (n = {n}, t = {t}) (flat index {(n * length) + t}) is outside [0, {vocabulary})", nameof(tokens));
                }
            }
        }

        var y = graph.Allocate(batch, length, width);
        Gather(table.Value.Span, ids, lens, length, width, y.Span);
        Tensor<T>? tangent = null;
        if (graph.HasTangents && table.Tangent is not null)
        {
            tangent = graph.Allocate(batch, length, width);
            Gather(table.Tangent.Span, ids, lens, length, width, tangent.Span);
        }

        var result = graph.Result(y, tangent, table.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                graph.EnsureGradient(table);
                Scatter(result.Gradient.Span, ids, lens, length, width, table.Gradient!.Span);
                if (table.GradientTangent is not null && result.GradientTangent is not null)
                {
                    Scatter(result.GradientTangent.Span, ids, lens, length, width, table.GradientTangent.Span);
                }
            });
        }

        return result;

        static void Gather(ReadOnlySpan<T> rows, int[] ids, int[]? lens, int length, int width, Span<T> destination)
        {
            for (var p = 0; p < ids.Length; p++)
            {
                if (lens is null || p % length < lens[p / length])
                {
                    rows.Slice(ids[p] * width, width).CopyTo(destination.Slice(p * width, width));
                }
            }
        }

        static void Scatter(ReadOnlySpan<T> source, int[] ids, int[]? lens, int length, int width, Span<T> rows)
        {
            for (var p = 0; p < ids.Length; p++)
            {
                if (lens is null || p % length < lens[p / length])
                {
                    var row = rows.Slice(ids[p] * width, width);
                    TensorPrimitives.Add(row, source.Slice(p * width, width), row);
                }
            }
        }
    }

    /// <summary>
    /// The same elements under another shape (a view: the value and tangent share the input's buffers). Linear:
    /// X̄ += reshape(Ȳ), X̄̇ += reshape(Ȳ̇).
    /// </summary>
    public static Variable<T> Reshape<T>(this Graph<T> graph, Variable<T> x, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        var value = x.Value.Reshape(shape);
        var tangent = graph.HasTangents ? x.Tangent?.Reshape(shape) : null;
        var result = graph.Result(value, tangent, x.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                AccumulateIdentity(graph, result, x);
            });
        }

        return result;
    }

    /// <summary>
    /// A stack of Elman RNN layers (paper 004's encoder is <c>nn.RNN(300, encoder_dim, 2)</c>, tanh): layer ℓ + 1
    /// reads layer ℓ's outputs, each layer as in <see cref="ElmanRnn{T}"/>.
    /// </summary>
    /// <param name="graph">The pass.</param>
    /// <param name="input">X, N × L × D_in.</param>
    /// <param name="parameters">Four per layer in PyTorch's order: weight_ih (H × D_in, then H × H), weight_hh
    /// (H × H), bias_ih (H), bias_hh (H); the same order as a <see cref="ParameterLayout"/> that lists them so.</param>
    /// <param name="lengths">Sequence lengths, N entries in [1, L].</param>
    /// <returns>The last layer's outputs, N × L × H (zero at padded steps).</returns>
    public static Variable<T> ElmanRnnStack<T>(this Graph<T> graph, Variable<T> input, ReadOnlySpan<Variable<T>> parameters, ReadOnlyMemory<int> lengths)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        if (parameters.Length == 0 || parameters.Length % 4 != 0)
        {
            throw new ArgumentException($"ElmanRnnStack: {parameters.Length} parameters; expected 4 per layer (weight_ih, weight_hh, bias_ih, bias_hh)", nameof(parameters));
        }

        var output = input;
        for (var layer = 0; layer < parameters.Length; layer += 4)
        {
            output = graph.ElmanRnn(output, parameters[layer], parameters[layer + 1], parameters[layer + 2], parameters[layer + 3], lengths);
        }

        return output;
    }

    /// <summary>
    /// One Elman RNN layer with tanh (PyTorch's <c>nn.RNN</c> layer; paper 004's encoder stacks two) over a padded
    /// batch, with each sequence stopped at its length as <c>pack_padded_sequence</c> does.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Value. For sequence n and step t (0-based), with m_{n,t} = 1[t &lt; lengthₙ], b = b_ih + b_hh and h_{n,−1} = 0:
    /// a_t = x_t W_ihᵀ + b + h_{t−1} W_hhᵀ, h_t = m_t tanh(a_t). Padded steps output 0 (PyTorch's
    /// <c>pad_packed_sequence</c> output). The recurrence at a real step only reads real (or initial) states, since
    /// t &lt; lengthₙ implies t − 1 &lt; lengthₙ, so masking the outputs of padded steps and holding the state there
    /// give the same real outputs; masking is chosen because it is exactly what the packed PyTorch RNN returns, so
    /// every pooling downstream sees the same tensor as paper 004's code. With D_t = m_t (1 − h_t²) (zero at
    /// padding), computed once on the forward pass:
    /// </para>
    /// <para>
    /// Tangent. ḣ_t = D_t ⊙ ȧ_t with ȧ_t = ẋ_t W_ihᵀ + x_t Ẇ_ihᵀ + ḃ + h_{t−1} Ẇ_hhᵀ + ḣ_{t−1} W_hhᵀ; all terms but the
    /// last are one GEMM over the N·L rows, the last runs step by step.
    /// </para>
    /// <para>
    /// Adjoint (back-propagation through time). With Ȳ the output adjoint, δ_{L−1} = Ȳ_{L−1} and, going back,
    /// ā_t = D_t ⊙ δ_t, δ_{t−1} = Ȳ_{t−1} + ā_t W_hh. Then X̄ += Ā W_ih, W̄_ih += Āᵀ X, W̄_hh += Σ_t ā_tᵀ h_{t−1}
    /// (= Āᵀ S with S the outputs shifted one step later), b̄_ih += Σ ā, b̄_hh += Σ ā (sums over all rows).
    /// Padded steps have D_t = 0, so no adjoint reaches padded inputs.
    /// </para>
    /// <para>
    /// Adjoint tangent (the d/dt of the adjoint recursion). Ḋ_t = −2 m_t h_t ⊙ ḣ_t;
    /// ā̇_t = D_t ⊙ δ̇_t + Ḋ_t ⊙ δ_t, δ̇_{t−1} = Ȳ̇_{t−1} + ā̇_t W_hh + ā_t Ẇ_hh (the last term is one GEMM once all ā
    /// are known). Then X̄̇ += Ā̇ W_ih + Ā Ẇ_ih, W̄̇_ih += Ā̇ᵀ X + Āᵀ Ẋ, W̄̇_hh += Ā̇ᵀ S + Āᵀ Ṡ, b̄̇_ih, b̄̇_hh += Σ ā̇.
    /// </para>
    /// <para>
    /// Cost: one GEMM for the input projection of all steps plus one N × H × H GEMM per step (restricted to the rows
    /// from the first to the last sequence still running, so a batch sorted by length, as PyTorch sorts it, skips
    /// finished sequences); padded inputs must be finite (they are multiplied by zero adjoints).
    /// </para>
    /// </remarks>
    /// <param name="graph">The pass.</param>
    /// <param name="input">X, N × L × D_in (batch first).</param>
    /// <param name="inputWeight">W_ih, H × D_in.</param>
    /// <param name="hiddenWeight">W_hh, H × H.</param>
    /// <param name="inputBias">b_ih, H.</param>
    /// <param name="hiddenBias">b_hh, H.</param>
    /// <param name="lengths">Sequence lengths, N entries in [1, L]. Copied.</param>
    /// <returns>The outputs h, N × L × H, zero at padded steps.</returns>
    public static Variable<T> ElmanRnn<T>(this Graph<T> graph, Variable<T> input, Variable<T> inputWeight, Variable<T> hiddenWeight,
        Variable<T> inputBias, Variable<T> hiddenBias, ReadOnlyMemory<int> lengths)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(inputWeight);
        ArgumentNullException.ThrowIfNull(hiddenWeight);
        ArgumentNullException.ThrowIfNull(inputBias);
        ArgumentNullException.ThrowIfNull(hiddenBias);
        if (input.Value.Rank != 3)
        {
            throw new ArgumentException($"ElmanRnn needs an N × L × D input, got [{string.Join(", ", input.Shape)}]", nameof(input));
        }

        var batch = input.Shape[0];
        var length = input.Shape[1];
        var inputSize = input.Shape[2];
        if (inputWeight.Value.Rank != 2 || inputWeight.Shape[1] != inputSize)
        {
            throw new ArgumentException($"ElmanRnn: weight_ih has shape [{string.Join(", ", inputWeight.Shape)}], expected [H, {inputSize}]", nameof(inputWeight));
        }

        var hidden = inputWeight.Shape[0];
        if (hiddenWeight.Value.Rank != 2 || hiddenWeight.Shape[0] != hidden || hiddenWeight.Shape[1] != hidden)
        {
            throw new ArgumentException($"ElmanRnn: weight_hh has shape [{string.Join(", ", hiddenWeight.Shape)}], expected [{hidden}, {hidden}]", nameof(hiddenWeight));
        }

        if (inputBias.Value.Size != hidden || hiddenBias.Value.Size != hidden)
        {
            throw new ArgumentException($"ElmanRnn: biases have {inputBias.Value.Size} and {hiddenBias.Value.Size} entries, expected {hidden}");
        }

        var lens = CheckLengths(graph, lengths.Span, batch, length, "ElmanRnn");
        var plan = new RecurrencePlan(lens, length, hidden);
        var rows = batch * length;
        var stride = plan.Stride;

        // Forward: pre-activations of all steps in the output buffer (bias, then one GEMM), then the recurrence.
        var h = graph.Allocate(batch, length, hidden);
        var hs = h.Span;
        var bias = graph.Allocate(hidden);
        TensorPrimitives.Add(inputBias.Value.Span, hiddenBias.Value.Span, bias.Span);
        FillRows(hs, bias.Span, rows, hidden);
        Blas.Gemm(false, true, rows, hidden, inputSize, T.One, input.Value.Span, inputSize, inputWeight.Value.Span, inputSize, T.One, hs, hidden);
        var derivative = graph.Allocate(batch, length, hidden);
        var ds = derivative.Span;
        var whh = hiddenWeight.Value.Span;
        for (var t = 0; t < length; t++)
        {
            if (t > 0 && plan.Count[t] > 0)
            {
                // a_t += h_{t−1} W_hhᵀ over the running rows (row stride L·H).
                var first = plan.Row(plan.First[t], t);
                Blas.Gemm(false, true, plan.Count[t], hidden, hidden, T.One, hs[(first - hidden)..], stride, whh, hidden, T.One, hs[first..], stride);
            }

            for (var n = 0; n < batch; n++)
            {
                var row = hs.Slice(plan.Row(n, t), hidden);
                if (t < lens[n])
                {
                    var d = ds.Slice(plan.Row(n, t), hidden);
                    TensorPrimitives.Tanh(row, row);
                    TensorPrimitives.Multiply(row, row, d);
                    TensorPrimitives.Subtract(T.One, d, d);
                }
                else
                {
                    row.Clear();
                }
            }
        }

        var needShifted = hiddenWeight.RequiresGradient || (graph.HasTangents && hiddenWeight.Tangent is not null);
        var shifted = needShifted ? Shift(graph, h, plan, batch) : null;

        // Tangent: everything but ḣ_{t−1} W_hhᵀ in whole-batch GEMMs, then the recurrence.
        Tensor<T>? tangent = null;
        if (graph.HasTangents && (input.Tangent is not null || inputWeight.Tangent is not null || hiddenWeight.Tangent is not null
            || inputBias.Tangent is not null || hiddenBias.Tangent is not null))
        {
            tangent = graph.Allocate(batch, length, hidden);
            var q = tangent.Span;
            if (inputBias.Tangent is not null || hiddenBias.Tangent is not null)
            {
                var biasTangent = graph.Allocate(hidden);
                if (inputBias.Tangent is not null)
                {
                    TensorPrimitives.Add(biasTangent.Span, inputBias.Tangent.Span, biasTangent.Span);
                }

                if (hiddenBias.Tangent is not null)
                {
                    TensorPrimitives.Add(biasTangent.Span, hiddenBias.Tangent.Span, biasTangent.Span);
                }

                FillRows(q, biasTangent.Span, rows, hidden);
            }

            if (input.Tangent is not null)
            {
                Blas.Gemm(false, true, rows, hidden, inputSize, T.One, input.Tangent.Span, inputSize, inputWeight.Value.Span, inputSize, T.One, q, hidden);
            }

            if (inputWeight.Tangent is not null)
            {
                Blas.Gemm(false, true, rows, hidden, inputSize, T.One, input.Value.Span, inputSize, inputWeight.Tangent.Span, inputSize, T.One, q, hidden);
            }

            if (hiddenWeight.Tangent is not null)
            {
                Blas.Gemm(false, true, rows, hidden, hidden, T.One, shifted!.Span, hidden, hiddenWeight.Tangent.Span, hidden, T.One, q, hidden);
            }

            for (var t = 0; t < length; t++)
            {
                if (t > 0 && plan.Count[t] > 0)
                {
                    var first = plan.Row(plan.First[t], t);
                    Blas.Gemm(false, true, plan.Count[t], hidden, hidden, T.One, q[(first - hidden)..], stride, whh, hidden, T.One, q[first..], stride);
                }

                MaskedMultiply(ds, q, q, plan, batch, t);
            }
        }

        var result = graph.Result(h, tangent, input.RequiresGradient || inputWeight.RequiresGradient || hiddenWeight.RequiresGradient
            || inputBias.RequiresGradient || hiddenBias.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                var outputTangent = result.Tangent;
                var second = graph.HasTangents && (result.GradientTangent is not null || outputTangent is not null);
                var hv = result.Value.Span;
                var dv = derivative.Span;
                var w = hiddenWeight.Value.Span;

                // Back-propagation through time: the buffer holds δ_t, then ā_t in place.
                var adjoint = graph.Allocate(batch, length, hidden);
                var a = adjoint.Span;
                result.Gradient.Span.CopyTo(a);

                // Ḋ_t ⊙ δ_t = −2 h_t ḣ_t δ_t, kept for the second-order pass before δ_t is overwritten.
                var curvature = second && outputTangent is not null ? graph.Allocate(batch, length, hidden) : null;
                var minusTwo = -(T.One + T.One);
                for (var t = length - 1; t >= 0; t--)
                {
                    if (curvature is not null)
                    {
                        var c = curvature.Span;
                        var ht = outputTangent!.Span;
                        for (var n = 0; n < batch; n++)
                        {
                            if (t < lens[n])
                            {
                                var at = plan.Row(n, t);
                                var cr = c.Slice(at, hidden);
                                TensorPrimitives.Multiply(hv.Slice(at, hidden), ht.Slice(at, hidden), cr);
                                TensorPrimitives.Multiply(cr, a.Slice(at, hidden), cr);
                                TensorPrimitives.Multiply(cr, minusTwo, cr);
                            }
                        }
                    }

                    MaskedMultiply(dv, a, a, plan, batch, t);
                    if (t > 0 && plan.Count[t] > 0)
                    {
                        var first = plan.Row(plan.First[t], t);
                        Blas.Gemm(false, false, plan.Count[t], hidden, hidden, T.One, a[first..], stride, w, hidden, T.One, a[(first - hidden)..], stride);
                    }
                }

                AccumulateParameters(graph, adjoint, input, inputWeight, hiddenWeight, inputBias, hiddenBias, shifted, rows, inputSize, hidden, tangents: false);
                if (!second)
                {
                    return;
                }

                // Second order: δ̇ starts from Ȳ̇ plus ā_{t+1} Ẇ_hh (one GEMM, rows shifted one step earlier).
                var adjointTangent = graph.Allocate(batch, length, hidden);
                var e = adjointTangent.Span;
                result.GradientTangent?.Span.CopyTo(e);
                if (hiddenWeight.Tangent is not null)
                {
                    var product = graph.Allocate(batch, length, hidden);
                    Blas.Gemm(false, false, rows, hidden, hidden, T.One, a, hidden, hiddenWeight.Tangent.Span, hidden, T.Zero, product.Span, hidden);
                    for (var n = 0; n < batch; n++)
                    {
                        var block = e.Slice(plan.Row(n, 0), (length - 1) * hidden);
                        TensorPrimitives.Add(block, product.Span.Slice(plan.Row(n, 1), (length - 1) * hidden), block);
                    }
                }

                for (var t = length - 1; t >= 0; t--)
                {
                    MaskedMultiply(dv, e, e, plan, batch, t);
                    if (curvature is not null)
                    {
                        for (var n = 0; n < batch; n++)
                        {
                            if (t < lens[n])
                            {
                                var row = e.Slice(plan.Row(n, t), hidden);
                                TensorPrimitives.Add(row, curvature.Span.Slice(plan.Row(n, t), hidden), row);
                            }
                        }
                    }

                    if (t > 0 && plan.Count[t] > 0)
                    {
                        var first = plan.Row(plan.First[t], t);
                        Blas.Gemm(false, false, plan.Count[t], hidden, hidden, T.One, e[first..], stride, w, hidden, T.One, e[(first - hidden)..], stride);
                    }
                }

                AccumulateParameters(graph, adjointTangent, input, inputWeight, hiddenWeight, inputBias, hiddenBias, shifted, rows, inputSize, hidden, tangents: true);

                // The terms of the adjoint tangents that pair ā with an input's tangent.
                if (input.GradientTangent is not null && inputWeight.Tangent is not null)
                {
                    Blas.Gemm(false, false, rows, inputSize, hidden, T.One, a, hidden, inputWeight.Tangent.Span, inputSize, T.One, input.GradientTangent.Span, inputSize);
                }

                if (inputWeight.GradientTangent is not null && input.Tangent is not null)
                {
                    Blas.Gemm(true, false, hidden, inputSize, rows, T.One, a, hidden, input.Tangent.Span, inputSize, T.One, inputWeight.GradientTangent.Span, inputSize);
                }

                if (hiddenWeight.GradientTangent is not null && outputTangent is not null)
                {
                    var shiftedTangent = Shift(graph, outputTangent, plan, batch);
                    Blas.Gemm(true, false, hidden, hidden, rows, T.One, a, hidden, shiftedTangent.Span, hidden, T.One, hiddenWeight.GradientTangent.Span, hidden);
                }
            });
        }

        return result;
    }

    /// <summary>
    /// Max-pooling over time (paper 004's encoder output, <c>torch.max</c> over the time axis): Y[n, j] =
    /// max_{t &lt; lengthₙ} H[n, t, j], N × L × K → N × K. Piecewise linear: with t*(n, j) the first index that
    /// attains the maximum (ties go to the earliest step), Ẏ[n, j] = Ḣ[n, t*, j], H̄[n, t*, j] += Ȳ[n, j] and
    /// H̄̇[n, t*, j] += Ȳ̇[n, j]; the argmax is fixed by the forward pass (its derivative is zero almost everywhere).
    /// </summary>
    /// <remarks>
    /// Padded steps (t ≥ lengthₙ) are ignored: they neither change Y nor receive an adjoint. Paper 004's public code
    /// (InferSent's encoder) instead takes <c>torch.max</c> over the whole <c>pad_packed_sequence</c> output, whose
    /// padded rows are zeros up to the longest sentence of the batch, so a sentence shorter than the batch's longest
    /// has its features clipped from below at 0. <paramref name="includePaddingZeros"/> = true reproduces that: Y[n, j]
    /// = max(max_{t &lt; lengthₙ} H[n, t, j], 0) when lengthₙ &lt; maxₘ lengthₘ (a real step that ties with 0 wins; a
    /// padding zero is a constant, so it passes no tangent or adjoint). Either way padded values of H are never read.
    /// </remarks>
    /// <param name="graph">The pass.</param>
    /// <param name="h">N × L × K.</param>
    /// <param name="lengths">N lengths in [1, L]. Copied.</param>
    /// <param name="includePaddingZeros">True to pool over <c>pad_packed_sequence</c>'s zero padding as paper 004's
    /// code does; false (default) to pool over the real steps only.</param>
    public static Variable<T> MaxOverTime<T>(this Graph<T> graph, Variable<T> h, ReadOnlyMemory<int> lengths, bool includePaddingZeros = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(h);
        if (h.Value.Rank != 3)
        {
            throw new ArgumentException($"MaxOverTime needs an N × L × K input, got [{string.Join(", ", h.Shape)}]", nameof(h));
        }

        var batch = h.Shape[0];
        var length = h.Shape[1];
        var width = h.Shape[2];
        var lens = CheckLengths(graph, lengths.Span, batch, length, "MaxOverTime");
        var longest = 0;
        foreach (var l in lens)
        {
            longest = Math.Max(longest, l);
        }

        // Flat index into H of each output's argmax, or −1 for a padding zero.
        var argmax = graph.AllocateIndices(batch * width);
        var y = graph.Allocate(batch, width);
        var hv = h.Value.Span;
        var ys = y.Span;
        for (var n = 0; n < batch; n++)
        {
            var best = ys.Slice(n * width, width);
            var index = argmax.AsSpan(n * width, width);
            var start = n * length * width;
            hv.Slice(start, width).CopyTo(best);
            for (var j = 0; j < width; j++)
            {
                index[j] = start + j;
            }

            for (var t = 1; t < lens[n]; t++)
            {
                var offset = start + (t * width);
                var row = hv.Slice(offset, width);
                for (var j = 0; j < width; j++)
                {
                    if (row[j] > best[j])
                    {
                        best[j] = row[j];
                        index[j] = offset + j;
                    }
                }
            }

            if (includePaddingZeros && lens[n] < longest)
            {
                for (var j = 0; j < width; j++)
                {
                    if (T.Zero > best[j])
                    {
                        best[j] = T.Zero;
                        index[j] = -1;
                    }
                }
            }
        }

        Tensor<T>? tangent = null;
        if (graph.HasTangents && h.Tangent is not null)
        {
            tangent = graph.Allocate(batch, width);
            var source = h.Tangent.Span;
            var ts = tangent.Span;
            for (var i = 0; i < argmax.Length; i++)
            {
                if (argmax[i] >= 0)
                {
                    ts[i] = source[argmax[i]];
                }
            }
        }

        var result = graph.Result(y, tangent, h.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                graph.EnsureGradient(h);
                Route(result.Gradient.Span, argmax, h.Gradient!.Span);
                if (h.GradientTangent is not null && result.GradientTangent is not null)
                {
                    Route(result.GradientTangent.Span, argmax, h.GradientTangent.Span);
                }
            });
        }

        return result;

        static void Route(ReadOnlySpan<T> source, int[] argmax, Span<T> destination)
        {
            for (var i = 0; i < argmax.Length; i++)
            {
                if (argmax[i] >= 0)
                {
                    destination[argmax[i]] += source[i];
                }
            }
        }
    }

    /// <summary>Checks N lengths in [1, L] and copies them into the graph's index arena; one-line messages name the sequence.</summary>
    private static int[] CheckLengths<T>(Graph<T> graph, ReadOnlySpan<int> lengths, int batch, int length, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (lengths.Length != batch)
        {
            throw new ArgumentException($"{operation}: {lengths.Length} lengths for a batch of {batch} sequences", nameof(lengths));
        }

        var copy = graph.AllocateIndices(batch);
        lengths.CopyTo(copy);
        for (var n = 0; n < copy.Length; n++)
        {
            if (copy[n] < 1 || copy[n] > length)
            {
                throw new ArgumentException($"{operation}: length {copy[n]} of sequence {n} is outside [1, {length}]", nameof(lengths));
            }
        }

        return copy;
    }

    /// <summary>Copies <paramref name="vector"/> into each of <paramref name="rows"/> rows.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void FillRows<T>(Span<T> destination, ReadOnlySpan<T> vector, int rows, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            vector.CopyTo(destination.Slice(r * width, width));
        }
    }

    /// <summary>Step t of every sequence: destination = D ⊙ source where the step is real, 0 where it is padding.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void MaskedMultiply<T>(ReadOnlySpan<T> derivative, ReadOnlySpan<T> source, Span<T> destination, RecurrencePlan plan, int batch, int t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var n = 0; n < batch; n++)
        {
            var at = plan.Row(n, t);
            var row = destination.Slice(at, plan.Hidden);
            if (t < plan.Lengths[n])
            {
                TensorPrimitives.Multiply(derivative.Slice(at, plan.Hidden), source.Slice(at, plan.Hidden), row);
            }
            else
            {
                row.Clear();
            }
        }
    }

    /// <summary>S[n, t] = H[n, t − 1], S[n, 0] = 0: the previous state of every step.</summary>
    private static Tensor<T> Shift<T>(Graph<T> graph, Tensor<T> states, RecurrencePlan plan, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shifted = graph.Allocate(states.Shape);
        var block = (plan.Length - 1) * plan.Hidden;
        for (var n = 0; n < batch; n++)
        {
            states.Span.Slice(plan.Row(n, 0), block).CopyTo(shifted.Span.Slice(plan.Row(n, 1), block));
        }

        return shifted;
    }

    /// <summary>
    /// Given Ā (or Ā̇): X̄ += Ā W_ih, W̄_ih += Āᵀ X, W̄_hh += Āᵀ S, b̄_ih, b̄_hh += Σ rows of Ā (into the gradients, or
    /// into the gradient tangents when <paramref name="tangents"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateParameters<T>(Graph<T> graph, Tensor<T> adjoint, Variable<T> input, Variable<T> inputWeight, Variable<T> hiddenWeight,
        Variable<T> inputBias, Variable<T> hiddenBias, Tensor<T>? shifted, int rows, int inputSize, int hidden, bool tangents)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = adjoint.Span;
        if (Target(graph, input, tangents) is { } gx)
        {
            Blas.Gemm(false, false, rows, inputSize, hidden, T.One, a, hidden, inputWeight.Value.Span, inputSize, T.One, gx.Span, inputSize);
        }

        if (Target(graph, inputWeight, tangents) is { } gw)
        {
            Blas.Gemm(true, false, hidden, inputSize, rows, T.One, a, hidden, input.Value.Span, inputSize, T.One, gw.Span, inputSize);
        }

        if (Target(graph, hiddenWeight, tangents) is { } gu)
        {
            Blas.Gemm(true, false, hidden, hidden, rows, T.One, a, hidden, shifted!.Span, hidden, T.One, gu.Span, hidden);
        }

        var gb = Target(graph, inputBias, tangents);
        var gc = Target(graph, hiddenBias, tangents);
        if (gb is null && gc is null)
        {
            return;
        }

        var sum = graph.Allocate(hidden);
        var s = sum.Span;
        for (var r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(s, a.Slice(r * hidden, hidden), s);
        }

        if (gb is not null)
        {
            TensorPrimitives.Add(gb.Span, s, gb.Span);
        }

        if (gc is not null)
        {
            TensorPrimitives.Add(gc.Span, s, gc.Span);
        }

        static Tensor<T>? Target(Graph<T> graph, Variable<T> variable, bool tangents)
        {
            if (!variable.RequiresGradient)
            {
                return null;
            }

            graph.EnsureGradient(variable);
            return tangents ? variable.GradientTangent : variable.Gradient;
        }
    }

    /// <summary>Lengths and, per step t, the range of rows (sequences) still running, for the per-step GEMMs.</summary>
    private sealed class RecurrencePlan
    {
        public RecurrencePlan(int[] lengths, int length, int hidden)
        {
            Lengths = lengths;
            Length = length;
            Hidden = hidden;
            Stride = length * hidden;
            First = new int[length];
            Count = new int[length];
            for (var t = 0; t < length; t++)
            {
                var first = -1;
                var last = -1;
                for (var n = 0; n < lengths.Length; n++)
                {
                    if (t < lengths[n])
                    {
                        first = first < 0 ? n : first;
                        last = n;
                    }
                }

                First[t] = Math.Max(first, 0);
                Count[t] = first < 0 ? 0 : last - first + 1;
            }
        }

        public int[] Lengths { get; }

        public int Length { get; }

        public int Hidden { get; }

        /// <summary>Elements between sequence n and n + 1 at a fixed step (L·H).</summary>
        public int Stride { get; }

        /// <summary>First running sequence at each step.</summary>
        public int[] First { get; }

        /// <summary>Rows from the first to the last running sequence at each step (0 when none runs).</summary>
        public int[] Count { get; }

        /// <summary>Offset of row (n, t) in an N × L × H buffer.</summary>
        public int Row(int n, int t) => ((n * Length) + t) * Hidden;
    }
}
