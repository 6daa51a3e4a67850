// Metrics are process-wide (meter "CreAspire.Gateway"); the stress test counts completions, so classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
