// cli.h — the `harness` command line (CLI11): one subcommand per verb, each with --help.
#pragma once

namespace alloclab::harness {

int cli_main(int argc, char** argv);

}  // namespace alloclab::harness
