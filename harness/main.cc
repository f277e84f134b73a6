// main.cc — the harness executable.
#include "cli.h"

int main(int argc, char** argv) { return alloclab::harness::cli_main(argc, argv); }
