/*
 * keys_cli.h - the `fitcheckd keys` command (keys_cli.c).
 */
#ifndef FITCHECK_KEYS_CLI_H
#define FITCHECK_KEYS_CLI_H

/* Runs `fitcheckd keys VERB ...` with argv[0] = "keys"; returns the exit status (0, 1 failure, 2 usage). */
int fc_keys_main(int argc, char **argv);

#endif
