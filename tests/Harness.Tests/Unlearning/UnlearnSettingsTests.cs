using Harness.Experiments;
using FluentAssertions;
using Harness.Config;
using Harness.Training;
using Harness.Unlearning;
using NUnit.Framework;

namespace Harness.Tests.Unlearning;

/// <summary>Each unlearner's own settings record: Table 5 defaults, its YAML keys and options, typed overrides, range checks.</summary>
public class UnlearnSettingsTests
{
    [TestCase("mnist", "gradascent", "batch 150, optimizer sgd, lr 0.0001, epochs 50, max_steps 0, momentum 0.9, weight_decay 0.0005, threshold 5")]
    [TestCase("mnist", "finetune", "batch 150, optimizer sgd, lr 0.1, epochs 10, max_steps 0, momentum 0.9, weight_decay 0.0005")]
    [TestCase("mnist", "fisher", "batch 32, alpha 1e-05, fisher_samples 0")]
    [TestCase("mnist", "retrain", "batch 150, optimizer sgd, lr 0.1, epochs 10, max_steps 0, momentum 0.9, weight_decay 0.0005")]
    [TestCase("cifar10", "finetune", "batch 150, optimizer sgd, lr 0.01, epochs 15, max_steps 0, momentum 0.9, weight_decay 0.0005")]
    [TestCase("cifar10", "fisher", "batch 32, alpha 6e-08, fisher_samples 0")]
    [TestCase("svhn", "retrain", "batch 64, optimizer sgd, lr 0.01, epochs 100, max_steps 0, momentum 0.9, weight_decay 0.0005")]
    public void DefaultsAreTable5(string dataset, string algorithm, string expected)
    {
        var u = UnlearnerRegistry.Get(algorithm);
        var s = u.Defaults(dataset);
        s.GetType().Should().Be(u.SettingsType);
        SettingsSchema.Describe(s).Should().Be(expected);
        s.Validate(algorithm);
    }

    [Test]
    public void EveryUnlearnerDeclaresItsSettingsWithOneTypePerKey()
    {
        foreach (var g in UnlearnerRegistry.Unlearners.SelectMany(u => SettingsSchema.Fields(u.SettingsType)).GroupBy(f => f.Key))
            g.Select(f => f.Type).Distinct().Should().HaveCount(1, $"setting '{g.Key}' is one option of `harness unlearn`");
        SettingsSchema.Fields(typeof(FisherSettings)).Select(f => f.Key).Should().Equal("batch", "alpha", "fisher_samples");
    }

    [Test]
    public void OverridesReplaceOnlyTheirKeysAndKeepTheType()
    {
        var s = UnlearnerRegistry.Resolve("gradascent", "mnist", new Dictionary<string, object> { ["lr"] = 0.01, ["optimizer"] = Optimizer.Adam });
        var g = s.Should().BeOfType<GradAscentSettings>().Subject;
        g.LearningRate.Should().Be(0.01);
        g.Optimizer.Should().Be(Optimizer.Adam);
        g.Epochs.Should().Be(50);
        g.OverfitThreshold.Should().Be(5.0);
    }

    [Test]
    public void SettingsMadeInCodeAreRangeChecked()
    {
        var act = () => (new FineTune().Defaults("mnist") with { BatchSize = 0 }).Validate("finetune");
        act.Should().Throw<HarnessException>().WithMessage("finetune: batch 0 is out of range [1, 1000000].");
        var nan = () => (new FisherForgetting().Defaults("mnist") with { Alpha = double.NaN }).Validate("fisher");
        nan.Should().Throw<HarnessException>().WithMessage("fisher: alpha NaN must be a finite number.");
    }

    [Test]
    public void TheYamlKeysOfAnAlgorithmAreItsSettings()
    {
        var dir = TestSupport.TempDir("unlearn-keys");
        try
        {
            var path = Path.Combine(dir, "experiments.yaml");
            string yaml = "matrices:\n  m:\n    datasets: [mnist]\n    scorers: [pc]\n    sides: [easy]\n    points: 1\n    unlearners: [fisher, finetune]\n    expansions: [0]\n    seeds: [0]\n    unlearning:\n      finetune: { epochs: 1, optimizer: adam }\n";
            File.WriteAllText(path, yaml);
            var m = ExperimentsFile.Load(path).Matrix("m");
            var f = m.UnlearnSettingsFor("finetune", "mnist").Should().BeOfType<RemainSetSettings>().Subject;
            (f.Epochs, f.Optimizer, f.LearningRate).Should().Be((1, Optimizer.Adam, 0.1));

            File.WriteAllText(path, yaml + "      fisher: { lr: 0.1 }\n");
            var act = () => ExperimentsFile.Load(path);
            act.Should().Throw<HarnessException>().WithMessage($"{path}:12: unknown key 'lr' in matrices.m.unlearning.fisher; allowed: batch, alpha, fisher_samples.");
        }
        finally { Directory.Delete(dir, true); }
    }
}
