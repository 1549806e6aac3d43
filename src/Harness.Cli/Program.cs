using Harness;
using Harness.Cli;

return Cli.Run(args);

namespace Harness.Cli
{
    static class Cli
    {
        const string Usage = """
            harness: unlearning-difficulty harness (KSD scores, unlearning, paper tables)

            usage:
              harness train --dataset mnist [--model cnn2] [--epochs N] [--seed S] [--threads T] [--device auto|cpu|cuda]
                            [--lr X] [--batch B] [--optimizer adam|sgd] [--train-limit N] [--data-root DIR] [--config FILE] [--out DIR]

              harness score --dataset mnist [--model cnn2] [--train-limit N] [--dump-kernel M] [--out DIR]
                            [--kernel rbf|imq] [--bandwidth H] [--score log_softmax|logit|logsumexp] [--diagonal exclude|include]
                            [--standardize row|global] [--ssn input|params] [--top-k K] [--block-size B] [--precision float32|float64]
                            (plus the training options of `train`; here --train-limit scores only the first N training points)
              harness unlearn --dataset mnist --algorithm gradascent|finetune|fisher|retrain --target I [--expansion K] [--out DIR]
                            [--scores DIR] [--unlearn-lr X] [--unlearn-epochs N] [--unlearn-batch B] [--unlearn-optimizer sgd|adam]
                            [--momentum M] [--threshold T] [--alpha A] [--fisher-samples N] [--unlearn-seed S]
              harness list   --matrix NAME [--config experiments.yaml]
              harness run    --matrix NAME [--shard i/n] [--results DIR] [--data-root DIR]   (also SLURM_ARRAY_TASK_ID/COUNT, JOB_COMPLETION_INDEX)
              harness merge  --matrix NAME      writes results/NAME/cells.csv
              harness verify --matrix NAME      merges and compares with results/NAME/NAME-cells.verified.csv
              harness accept --matrix NAME      promotes the received table to the verified baseline
              harness figures --matrix NAME     Figures 1-5 as PNG under results/NAME/
              harness report  --matrix NAME     Tables 1-3 (CSV, GitHub Markdown) and REPORT.md
              harness reproduce [--matrix mnist] run, merge, figures, tables, report, summary, then verify
              harness bench [--dataset mnist] [--threads T] [--out results/bench/score-mnist.json]

            Data sets: mnist, fashion-mnist, cifar10, svhn, and any declared under `datasets:` in experiments.yaml.
            Data root: --data-root, else HARNESS_DATA, else data/. Checkpoint cache: HARNESS_CACHE, else .cache/.
            Results: --results, else HARNESS_RESULTS, else results/.
            """;

        public static int Run(string[] args)
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            try
            {
                var rest = args.Skip(1);
                return args[0] switch
                {
                    "train" => TrainCommand.Run(rest),
                    "score" => ScoreCommand.Run(rest),
                    "bench" => BenchCommand.Run(rest),
                    "unlearn" => UnlearnCommand.Run(rest),
                    "list" => MatrixCommands.List(rest),
                    "run" => MatrixCommands.Run(rest),
                    "merge" => MatrixCommands.Merge(rest),
                    "verify" => MatrixCommands.Verify(rest),
                    "accept" => MatrixCommands.Accept(rest),
                    "figures" => ReportCommands.Figures(rest),
                    "report" => ReportCommands.Report(rest),
                    "reproduce" => ReportCommands.Reproduce(rest),
                    _ => throw new HarnessException($"unknown command '{args[0]}'; run `harness help`."),
                };
            }
            catch (HarnessException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        }
    }
}
