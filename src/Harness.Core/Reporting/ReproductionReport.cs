using Harness.Study;
using System.Globalization;
using System.Text;
using Harness.Experiments;
using Harness.Jobs;

namespace Harness.Reporting;

/// <summary>What one kernel's scoring run left for the report: every point's scores and the extreme rows with their Eq. 4 term sizes.</summary>
public sealed record KernelEvidence(Scoring.PointScores Scores, IReadOnlyList<Scoring.ExtremeRow> Extremes, ScoreMeta? Meta);

/// <summary>The verdict on the paper's MNIST headline: EMSKSD-easy points forgotten under GradAscent, hard ones not, test accuracy kept.</summary>
public sealed record Headline(bool Holds, Spread EasyForget, Spread HardForget, Spread EasyTest, Spread HardTest, double OriginalTest, string Text);

/// <summary>REPORT.md: the paper's Tables 1–3 next to ours cell by cell, with what agrees, what does not and why where known.</summary>
public static class ReproductionReport
{

    public static Headline CheckHeadline(MatrixSpec m, IReadOnlyList<CellResult> cells, string dataset, string kernel, double originalTest)
    {
        int k = PaperTables.Expansion(m);
        IEnumerable<CellResult> Sel(string side) => cells.Where(c => c.Dataset == dataset && c.Kernel == kernel && c.Scorer == "emsksd" && c.Unlearner == "gradascent" && c.Side == side && c.Expansion == k);
        List<CellResult> easy = Sel("easy").ToList(), hard = Sel("hard").ToList();
        var ef = Spread.Of(easy.Select(c => c.ForgetAcc));
        var hf = Spread.Of(hard.Select(c => c.ForgetAcc));
        var et = Spread.Of(easy.Select(c => c.TestAcc));
        var ht = Spread.Of(hard.Select(c => c.TestAcc));
        bool kept = et.N > 0 && ht.N > 0 && et.Min >= originalTest - 0.02 && ht.Min >= originalTest - 0.02;
        bool holds = ef.N > 0 && hf.N > 0 && ef.Mean <= 0.2 && hf.Mean >= 0.8 && kept;
        var inv = CultureInfo.InvariantCulture;
        // A forget set the original model already misclassified has forget accuracy 0 before any unlearning: with
        // `candidates: all` (the paper's rule) a low forget accuracy can be that, not GradAscent's doing.
        var (correctEasy, flippedEasy) = Flips(easy);
        var (correctHard, flippedHard) = Flips(hard);
        int wrongHard = hard.Count - correctHard, keptHard = hard.Count(c => c.OriginalForgetAcc == 1 && c.ForgetAcc == 1);
        string? hardReason = hf.Mean >= 0.8 ? null
            : wrongHard > 0 && keptHard == correctHard
                ? $"hard points end below forget accuracy 0.8 only because {wrongHard} of {hard.Count} were misclassified before any unlearning (GradAscent changed none of the {correctHard} classified correctly)"
                : "hard points are forgotten too (forget accuracy < 0.8" + (wrongHard > 0 ? $"; {wrongHard} of {hard.Count} were misclassified before any unlearning" : "") + ")";
        var text = string.Create(inv,
            $"Under GradAscent (k = {k}), the points EMSKSD calls easy end with forget accuracy {ef.Format()} (paper: 0.00) and the hard ones {hf.Format()} (paper: 1.00); " +
            $"before unlearning the original model classified {correctEasy + correctHard} of these {easy.Count + hard.Count} forget sets fully correctly; " +
            $"test accuracy {et.Format()} after unlearning easy points and {ht.Format()} after hard ones (original model {originalTest:F4}; paper: 0.99 for both). ") +
            (holds ? "**The headline holds here.**"
                   : "**The headline does not hold here**: " + string.Join("; ", new[]
                   {
                       ef.Mean > 0.2 ? "easy points are not forgotten (forget accuracy > 0.2)" : null,
                       hardReason,
                       !kept ? "test accuracy drops by more than 0.02" : null,
                   }.Where(s => s != null)) + ".");
        if (correctEasy + correctHard < easy.Count + hard.Count)
            text += string.Create(inv, $" Among the forget sets the original model classified correctly, GradAscent took {flippedEasy} of {correctEasy} easy and {flippedHard} of {correctHard} hard ones to forget accuracy 0") +
                (correctHard == 0 ? ": no hard one was classified correctly, so these picks do not test the hard side."
                 : correctEasy > 0 && flippedEasy == correctEasy && flippedHard == 0 ? ": on those the paper's pattern holds in shape."
                 : ".");
        var withEvidence = easy.Concat(hard).Where(c => c.Evidence != null).ToList();
        if (withEvidence.Count > 0)
        {
            string Side(string side, List<CellResult> cellsOfSide)
            {
                var sel = cellsOfSide.Where(c => c.Evidence != null).ToList();
                int before = sel.Count(c => c.Evidence!.TargetBefore.Member), after = sel.Count(c => c.Evidence!.TargetAfter.Member);
                var p = Spread.Of(sel.Select(c => c.Evidence!.TargetAfter.OutPValue));
                var p0 = Spread.Of(sel.Select(c => c.Evidence!.TargetBefore.OutPValue));
                return string.Create(inv, $"the {side} points: LiRA calls {before} of {sel.Count} members before and {after} after; out p-value {p0.Format()} before, {p.Format()} after");
            }
            var fpr = withEvidence[0].Evidence!.Fpr;
            bool present = withEvidence.Any(c => c.Evidence!.TargetBefore.Member);
            text += string.Create(inv, $" **Membership evidence** (the population's LiRA at {fpr:P0} FPR; out p-value: the share of models that never saw the point with φ at least as high): {Side("easy", easy)}; {Side("hard", hard)}. ") +
                (!present ? "LiRA found no membership evidence for these points before unlearning, so by the population's test there was nothing to remove: the forget-accuracy change the paper reads as forgetting measures how far GradAscent pushed the prediction (an out p-value near 1 after means φ fell below nearly every model that never saw the point: overshoot), not removed membership."
                    : withEvidence.All(c => !c.Evidence!.TargetAfter.Member) ? "The membership evidence that was there before is gone after unlearning."
                    : "Some of the membership evidence that was there before is still there after unlearning.");
        }
        return new Headline(holds, ef, hf, et, ht, originalTest, text);
    }

    /// <summary>Of a side's forget sets: how many the original model classified fully correctly, and how many of those ended at forget accuracy 0.</summary>
    static (int Correct, int Flipped) Flips(IEnumerable<CellResult> side) =>
        (side.Count(c => c.OriginalForgetAcc == 1), side.Count(c => c.OriginalForgetAcc == 1 && c.ForgetAcc == 0));

    /// <param name="evidence">Per data set and kernel label, the scoring run's scores and extreme rows (absent ones are left out of those sections).</param>
    /// <param name="population">Per data set, the population's attack-strength table (Markdown), where the matrix has one.</param>
    /// <param name="instruments">The section on what the instruments detect on canaries (<see cref="InstrumentsSection"/>), first after the overview; null without canaries.</param>
    /// <summary>
    /// "What these instruments can detect": per data set with canaries, how many the original memorized, the population's
    /// instruments on them beside the other points (<paramref name="power"/>: the population's table, as attack-github.md
    /// has it), and where each scorer ranks them. It comes before any verdict.
    /// </summary>
    public static string InstrumentsSection(IReadOnlyDictionary<string, TrainReport> originals, IReadOnlyDictionary<string, string> power,
        IReadOnlyDictionary<(string Dataset, string Kernel), IReadOnlyList<ScorerOnGroup>> ranking)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        foreach (var (d, o) in originals)
        {
            if (o.Canaries is not { } c) continue;
            if (sb.Length == 0) sb.Append("## What these instruments can detect\n\n");
            sb.Append(string.Create(inv, $"**{d}.** {c.Count} canaries (training points given a seeded wrong label before anything trained, seed {c.Seed}); the original memorized {o.CanaryAccuracy:P1} of them (it predicts the wrong label they were given).\n\n"));
            if (power.TryGetValue(d, out var table)) sb.Append(table);
            foreach (var ((_, kernel), rows) in ranking.Where(kv => kv.Key.Dataset == d))
            {
                sb.Append($"Where each scorer ranks the canaries (kernel `{kernel}`, all training points; AUROC of \"is a canary\" by the score's hard end: 1 = the canaries are the hardest points, 0.5 = chance):\n\n");
                sb.Append("| scorer | hard end | AUROC | canaries' median hardness percentile |\n|---|---|---:|---:|\n");
                foreach (var r in rows)
                    sb.Append(string.Create(inv, $"| {Scoring.Scorers.ScorerRegistry.Get(r.Scorer).Display} | {r.HardEnd} | {r.Auroc:F3} | {r.MedianHardnessPercentile:F1} |\n"));
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    public static string Build(MatrixSpec m, IReadOnlyList<CellResult> cells, IReadOnlyList<TableEntry> entries,
        IReadOnlyDictionary<string, TrainReport> originals, string verification, IReadOnlyDictionary<(string Dataset, string Kernel), KernelEvidence>? evidence = null,
        IReadOnlyDictionary<string, string>? population = null, string? instruments = null)
    {
        evidence ??= new Dictionary<(string, string), KernelEvidence>();
        var kernels = PaperTables.KernelLabels(m).ToList();
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var sample = cells.FirstOrDefault();
        sb.Append($"# Reproduction report: matrix `{m.Name}`\n\n");
        sb.Append($"{m.Description}.\n\n");
        sb.Append($"- cells: {cells.Count} ({string.Join(" × ", new[] { $"{m.Datasets.Length} data set(s)", $"{kernels.Count} kernel(s)", $"{m.Scorers.Length} scorers", $"{m.Sides.Length} sides", $"{m.Points} point(s) per side", $"{m.Unlearners.Length} unlearners", $"expansions {{{string.Join(", ", m.Expansions)}}}", $"seeds {{{string.Join(", ", m.Seeds)}}}" })})\n");
        foreach (var (d, o) in originals)
            sb.Append(string.Create(inv, $"- original {o.Model} on {d}: {o.TrainCount} training points, {o.Settings.Epochs} epochs of {o.Settings.Optimizer} (lr {o.Settings.LearningRate}, batch {o.Settings.BatchSize}); test accuracy {o.TestAccuracy:F4} on {o.TestCount} test images\n"));
        if (sample != null) sb.Append($"- {sample.Threads} thread(s) per cell{(m.Workers > 1 ? $", {m.Workers} cells at a time" : "")} on {sample.Device}; TorchSharp {sample.TorchSharpVersion}, LibTorch {sample.LibTorchVersion}; cells computed at commit `{sample.GitCommit}`\n");
        foreach (var kernel in m.Kernels)
            sb.Append($"- kernel `{Scoring.KernelProfile.Label(kernel)}`: {DescribeKernel(kernel)}\n");
        sb.Append($"- candidates: {(m.Candidates == Scoring.Candidates.Correct ? "only the training points the original model classifies correctly are ranked (`candidates: correct`)" : "all training points are ranked, as in the paper (`candidates: all`)")}\n");
        int shared = cells.Count(c => c.SameAs != null);
        if (shared > 0) sb.Append($"- {shared} cells picked the same target as another cell of the same algorithm and expansion (another scorer or kernel) and share its computation (`same_as` in the cell file)\n");
        var remainEval = cells.Select(c => c.RemainEvaluation).Distinct().ToList();
        sb.Append($"- remaining-set accuracy and loss measured on: {string.Join("; ", remainEval.Take(2))}{(remainEval.Count > 2 ? " (and others)" : "")}\n");
        sb.Append($"- verification against the committed baseline: {verification}\n\n");
        if (!string.IsNullOrEmpty(instruments)) sb.Append(instruments);

        sb.Append("## The headline claim, per kernel\n\n");
        foreach (var d in m.Datasets.Where(originals.ContainsKey))
            foreach (var kernel in kernels)
                sb.Append($"**{d}, kernel `{kernel}`.** {CheckHeadline(m, cells, d, kernel, originals[d].TestAccuracy).Text}\n\n");

        if (population is { Count: > 0 })
        {
            sb.Append("## Membership evidence: the population and the strength of its attack\n\n");
            sb.Append($"A population of {m.Population!.Models} reference models (the original's architecture and recipe, each trained on a seeded random half of the " +
                      "training set, in complementary pairs) gives every training point an in and an out distribution of φ = z_y − logsumexp_{j≠y} z_j. " +
                      "LiRA (online, with the fixed global variance below 64 models a side) scores a model's φ on a point by the likelihood ratio of the two fitted Gaussians. " +
                      "Its strength on this population, each model the target in turn (Carlini et al. 2022's measures):\n\n");
            foreach (var (d, table) in population) sb.Append($"**{d}.**\n\n{table}\n");
            sb.Append("Per cell, `cells.csv` has the target's φ, out p-value, LiRA score and member call before and after unlearning, the share of the forget set called a member, " +
                      $"and the share of {Populations.ForgetEvidenceMeasure.DefaultRemainSample} seeded remaining points called members before and after.\n\n");
            AppendEvidenceByUnlearner(sb, m, cells);
        }

        AppendMisclassifiedExtremes(sb, m, cells, evidence);
        AppendTermShares(sb, m, evidence);

        sb.Append("## How this run differs from the paper\n\n");
        sb.Append($"- Points per side: {m.Points} (paper: 5), so an entry is {(m.Points * m.Seeds.Length == 1 ? "a single cell: accuracies and MIA-efficacy are 0 or 1" : $"a mean over {m.Points * m.Seeds.Length} cells")}; the paper's entries move in steps of 0.2.\n");
        foreach (var (alg, o) in m.Unlearning)
            sb.Append($"- {PaperTables.UnlearnerName(alg)} overridden: {Describe(o)} (Table 5 otherwise).\n");
        if (m.Training.Epochs != null || m.Training.TrainLimit != null)
            sb.Append($"- Training overridden: {(m.Training.Epochs is int e ? $"{e} epochs" : "")} {(m.Training.TrainLimit is int t ? $"first {t} training points" : "")}.\n");
        sb.Append("- Not stated in the paper, chosen here: the cnn2 architecture and its 10 Adam epochs; SGD with momentum 0.9 and weight decay 5e-4 for the unlearning algorithms (as in Unlearn-Sparse, the reference docs/method.md names); a threshold attack on the confidence feature for MIA.\n");
        if (m.RemainSample > 0)
            sb.Append($"- Remaining-set accuracy and loss are measured on a seeded sample of {m.RemainSample} points of D_r (the MIA's shadow members), not on all of it, to keep each cell cheap; forget and test sets are always measured whole.\n");
        if (m.Candidates == Scoring.Candidates.Correct)
            sb.Append("- Targets are ranked among the points the original model classifies correctly (`candidates: correct`); the paper ranks all points (`candidates: all`). The misclassified-extremes table shows what that changes.\n");
        if (m.Kernels.Length > 1)
            sb.Append($"- Every score is computed with {m.Kernels.Length} kernels (above); the paper states Eq. 4 on (x, y) pairs without saying how y enters, and its authors' code uses the joint space.\n");
        sb.Append("- PC's direction: the paper's text (Sec. 2, the distance to the decision boundary) says a point with lower predictive confidence is easier to unlearn, so PC's hard end is high here. " +
                  "Its Table 1 rows for PC's easy points keep forget accuracy 1.00 under GradAscent, which the lowest-confidence points (often misclassified before any unlearning) cannot give: those rows read as the opposite direction. We follow the text.\n");
        sb.Append("- The paper has no Fisher column in Tables 1–3; ours are shown without a paper value.\n\n");

        sb.Append("## Tables 1–3 next to the paper, cell by cell\n\n");
        sb.Append("Each paper value is compared once per kernel with the range of our points (min – max over the points of a side; the paper prints two decimals, so a value v stands for v ± 0.005) " +
                  "and, beside it, with the same range for a model on which unlearning does nothing (the original model on the same forget sets and test set: forget accuracy and loss as before unlearning, no drop, the original's test accuracy and loss). " +
                  "A table agrees with the paper only where our ranges contain more of its values than doing nothing does. " +
                  "\"already 0 before\" marks forget sets the original model misclassified before any unlearning.\n\n");
        var comparison = PaperComparison.Build(m, cells, entries, originals);
        foreach (int table in new[] { 1, 2, 3 })
        {
            sb.Append($"### {PaperTables.Titles[table]}\n\n");
            var tally = PaperComparison.Tally(comparison, table);
            sb.Append(tally.Length > 0 ? tally + "\n" : "No paper values to compare with.\n\n");
            sb.Append("| data set | kernel | scorer | unlearner | side | part | ours (mean ± sd) | paper | ours: range, contains | doing nothing: range, contains | note |\n|---|---|---|---|---|---|---:|---:|---|---|---|\n");
            foreach (var e in entries.Where(e => e.Table == table && e.Ours.N > 0))
            {
                string paper = e.Paper is double p ? p.ToString("F2", inv) : "–";
                var row = comparison.FirstOrDefault(r => ReferenceEquals(r.Entry, e));
                var (ours, nothing) = row != null ? PaperComparison.Cells(row) : ("", "");
                string note = e.Paper is null ? "not in the paper" : row is { OursContain: false } ? Why(e, cells, m).TrimStart(';', ' ') : "";
                if (PaperTables.WeakAttackOf(entries, e) is double weak)
                    note += string.Create(inv, $"{(note.Length > 0 ? "; " : "")}the attack is no better than chance (shadow balanced accuracy {weak:F2} < {PaperTables.WeakAttack:F2}), so this efficacy says nothing");
                sb.Append($"| {e.Dataset} | {e.Kernel} | {PaperTables.Name(e.Scorer)} | {PaperTables.UnlearnerName(e.Unlearner)} | {e.Side} | {e.Part} | {e.Ours.Format()} | {paper} | {ours} | {nothing} | {note} |\n");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Per unlearner and expansion, over the distinct targets: how many LiRA calls members before and after, and the remaining sample's member share; then what that says of the paper's claims.</summary>
    static void AppendEvidenceByUnlearner(StringBuilder sb, MatrixSpec m, IReadOnlyList<CellResult> cells)
    {
        var inv = CultureInfo.InvariantCulture;
        var with = cells.Where(c => c.Evidence != null).ToList();
        if (with.Count == 0) return;
        sb.Append("| unlearner | k | targets | members before | members after | forget-set member share before → after | remaining points called members before → after |\n|---|---:|---:|---:|---:|---|---|\n");
        var rows = new List<(string U, int K, int N, int Before, int After)>();
        foreach (var g in with.GroupBy(c => (c.Unlearner, c.Expansion)).OrderBy(g => Array.IndexOf(m.Unlearners, g.Key.Unlearner)).ThenBy(g => g.Key.Expansion))
        {
            var distinct = g.GroupBy(c => (c.Dataset, c.Target)).Select(x => x.First()).ToList();
            int before = distinct.Count(c => c.Evidence!.TargetBefore.Member), after = distinct.Count(c => c.Evidence!.TargetAfter.Member);
            rows.Add((g.Key.Unlearner, g.Key.Expansion, distinct.Count, before, after));
            sb.Append(string.Create(inv, $"| {PaperTables.UnlearnerName(g.Key.Unlearner)} | {g.Key.Expansion} | {distinct.Count} | {before} | {after} | ") +
                string.Create(inv, $"{distinct.Average(c => c.Evidence!.ForgetMembersBefore):P1} → {distinct.Average(c => c.Evidence!.ForgetMembersAfter):P1} | {distinct.Average(c => c.Evidence!.RemainMembersBefore):P1} → {distinct.Average(c => c.Evidence!.RemainMembersAfter):P1} |\n"));
        }
        int k0 = m.Expansions.Min();
        var first = rows.Where(r => r.K == k0).ToList();
        int targets = first.Count > 0 ? first.Max(r => r.N) : 0, withEvidence = first.Count > 0 ? first.Max(r => r.Before) : 0;
        var retrain = first.FirstOrDefault(r => r.U == "retrain");
        var ga = first.FirstOrDefault(r => r.U == "gradascent");
        double fpr = with[0].Evidence!.Fpr;
        sb.Append('\n');
        sb.Append(string.Create(inv, $"**What this says of the paper's claims.** Of the {targets} distinct points the scorers picked (k = {k0}), {withEvidence} carried membership evidence LiRA could detect before unlearning. "));
        if (retrain.U != null) sb.Append(string.Create(inv, $"After Retrain, the reference, LiRA calls {retrain.After} of the {targets} members (before: {retrain.Before}; at its {fpr:P0} FPR threshold about {targets * fpr:0.#} would be called by chance); "));
        if (ga.U != null) sb.Append(string.Create(inv, $"after GradAscent, {ga.After}. "));
        sb.Append("The paper's tables read forget accuracy 0 as \"forgotten\"; for a point without membership evidence there is nothing to forget, and driving its accuracy to 0 is overshoot (its out p-value after, in cells.csv, is near 1). " +
                  "So the paper's claim that KSD scores separate points that are easy and hard to *unlearn* is not what Tables 1–3 show here: they show which points GradAscent can push to a wrong prediction, which the study finds the model's own confidence predicts as well. " +
                  $"The claims the population can test are per point and per unlearner: which points carry evidence (few, on {string.Join(" and ", m.Datasets)}: the attack's AUC is in the table above) and which algorithms remove it.\n\n");
    }

    static string Why(TableEntry e, IReadOnlyList<CellResult> cells, MatrixSpec m)
    {
        if (e.Metric != "forget_acc" && e.Metric != "mia_efficacy") return "";
        var sel = cells.Where(c => c.Dataset == e.Dataset && c.Kernel == e.Kernel && c.Scorer == e.Scorer && c.Unlearner == e.Unlearner && c.Side == e.Side && c.Expansion == PaperTables.Expansion(m)).ToList();
        if (sel.Count > 0 && sel.All(c => c.OriginalForgetAcc == 0)) return " (already 0 before: the original model misclassified these points)";
        if (e.Metric == "forget_acc" && sel.Count > 0 && sel.All(c => c.OriginalForgetAcc == c.ForgetAcc) && e.Unlearner == "gradascent")
            return " (GradAscent did not change the prediction)";
        return "";
    }

    static string DescribeKernel(Scoring.ScoringOptions o) =>
        (o.Space == Scoring.KernelSpace.Joint ? "the authors' joint space: a = [x, onehot(y)], s = [∇ₓ log p(y|x), softmax p(·|x)]" : "the input space: x alone, y only through s = ∇ₓ log p(y|x)") +
        $", {(o.Features == Scoring.FeatureSpace.Penultimate ? "x = the representation entering the last linear layer" : "x = the flattened image")}, {SettingField.Format(o.Kernel)} base kernel, bandwidth " +
        (o.Bandwidth.Rule switch { Scoring.BandwidthRule.Median => "by the median heuristic", Scoring.BandwidthRule.Dimension => "h² = the number of columns (d + C in the joint space)", _ => $"h = {o.Bandwidth}" });

    /// <summary>How many of the most extreme points of each score the original model already misclassifies (it has nothing to forget there).</summary>
    static void AppendMisclassifiedExtremes(StringBuilder sb, MatrixSpec m, IReadOnlyList<CellResult> cells, IReadOnlyDictionary<(string Dataset, string Kernel), KernelEvidence> evidence)
    {
        const int top = 5;
        int k = PaperTables.Expansion(m);
        sb.Append("## Misclassified extremes\n\n");
        sb.Append($"A point the original model already gets wrong has forget accuracy 0 before any unlearning, so it looks \"forgotten\" at no cost. " +
                  $"First columns: of the {top} easiest and the {top} hardest points of each score over **all** training points (the paper's protocol), how many the original model misclassifies. " +
                  $"Last column: of this matrix's own targets ({SettingField.Format(m.Candidates)} candidates), how many had forget accuracy 0 before unlearning (GradAscent cells, k = {k}).\n\n");
        sb.Append($"| data set | kernel | scorer | easy {top}, all points | hard {top}, all points | this matrix's targets |\n|---|---|---|---:|---:|---:|\n");
        foreach (var ((d, kernel), ev) in evidence.OrderBy(e => e.Key.Dataset).ThenBy(e => PaperTables.KernelLabels(m).ToList().IndexOf(e.Key.Kernel)))
            foreach (var sc in m.Scorers)
            {
                var scorer = Scoring.Scorers.ScorerRegistry.Get(sc);
                int Wrong(int[] picks) => picks.Count(i => !ev.Scores.Correct(i));
                var easy = Scoring.Scorers.ScorerRegistry.Easiest(scorer, ev.Scores, top);
                var hard = Scoring.Scorers.ScorerRegistry.Hardest(scorer, ev.Scores, top);
                var own = cells.Where(c => c.Dataset == d && c.Kernel == kernel && c.Scorer == sc && c.Unlearner == "gradascent" && c.Expansion == k).ToList();
                sb.Append($"| {d} | {kernel} | {PaperTables.Name(sc)} | {Wrong(easy)} of {easy.Length} | {Wrong(hard)} of {hard.Length} | {own.Count(c => c.OriginalForgetAcc == 0)} of {own.Count} |\n");
            }
        sb.Append('\n');
    }

    /// <summary>
    /// "What the kernel measures here": per score and kernel, the share of each bracket of Eq. 4 in the mean |κ| of the
    /// extreme points' rows (easiest and hardest of that score, against every training point).
    /// </summary>
    static void AppendTermShares(StringBuilder sb, MatrixSpec m, IReadOnlyDictionary<(string Dataset, string Kernel), KernelEvidence> evidence)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.Append("## What the kernel measures here\n\n");
        sb.Append("Eq. 4 is a sum of three brackets: score similarity s_aᵀs_b k, mutual influence s_aᵀ∇_b k + s_bᵀ∇_a k, and raw-feature similarity tr(∇_a∇_b k). " +
                  "For the easiest and the hardest point of each score, the mean |·| of each bracket over its row of κ (against every other training point), as a share of their sum. " +
                  "A score whose κ is almost all raw-feature similarity ranks points by a density of the features (pixels, in the input space), not by anything the model computed; " +
                  "score similarity is where the model's gradients (and, in the joint space, its predictions) enter.\n\n");
        sb.Append("| data set | kernel | scorer | score similarity | mutual influence | raw-feature similarity | mean abs κ |\n|---|---|---|---:|---:|---:|---:|\n");
        foreach (var ((d, kernel), ev) in evidence.OrderBy(e => e.Key.Dataset).ThenBy(e => PaperTables.KernelLabels(m).ToList().IndexOf(e.Key.Kernel)))
            foreach (var sc in m.Scorers)
            {
                var rows = ev.Extremes.Where(r => r.Scorer == sc && double.IsFinite(r.MeanAbsScoreTerm)).ToList();
                if (rows.Count == 0) continue;
                double a = rows.Average(r => r.MeanAbsScoreTerm), b = rows.Average(r => r.MeanAbsInfluenceTerm), c = rows.Average(r => r.MeanAbsRawTerm), sum = a + b + c;
                string Share(double v) => sum > 0 ? Pct(v / sum) : "–";
                sb.Append(string.Create(inv, $"| {d} | {kernel} | {PaperTables.Name(sc)} | {Share(a)} | {Share(b)} | {Share(c)} | {sum:G3} |\n"));
            }
        sb.Append("\nShares below 0.01 % are shown in scientific notation.\n\n");
    }

    static string Pct(double share) => share >= 1e-4 || share == 0
        ? (share * 100).ToString("F2", CultureInfo.InvariantCulture) + " %"
        : (share * 100).ToString("0.0e+0", CultureInfo.InvariantCulture) + " %";

    static readonly string[] DescribeOrder = { "epochs", "max_steps", "lr", "fisher_samples", "alpha", "threshold" };

    static string Describe(IReadOnlyDictionary<string, object> o) => string.Join(", ",
        o.OrderBy(kv => Array.IndexOf(DescribeOrder, kv.Key) is var i and >= 0 ? i : DescribeOrder.Length).Select(kv => kv.Key switch
        {
            "epochs" => $"{kv.Value} epoch(s)",
            "max_steps" => $"stopped after {kv.Value} optimizer steps",
            "fisher_samples" => $"Fisher over {kv.Value} points of D_r",
            "alpha" => $"α {SettingField.Format(kv.Value)}",
            _ => $"{kv.Key} {SettingField.Format(kv.Value)}",
        }));
}
