// The private-folder test points CREASPIRE_NODE_MODULES (process-wide) at a copy of the Postgres package: no test of this
// assembly may resolve the Postgres binaries while it runs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
