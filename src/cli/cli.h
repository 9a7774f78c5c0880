/* cli.h: what the command files of the CLI share (main.c defines them). */
#ifndef MERIDIAN_CLI_H
#define MERIDIAN_CLI_H

#include "meridian/mr_core.h"

extern const char *prog;
/* "meridian CMD: message" and a hint on stderr; returns the exit status of MR_EINVAL. */
int usage_error(const char *cmd, const char *fmt, ...) MR_PRINTF(2, 3);
/* "meridian CMD: file:line:column: message" on stderr; returns the exit status of e->code. */
int fail(const char *cmd, const mr_error *e);
int fail_code(const char *cmd, int code);
int has_help(int argc, char **argv);
/* A data file: $env if set, else name next to the program, else in PREFIX/share/meridian. */
int find_share(const char *env, const char *name, char *out, size_t size);
struct mr_net;
/* Load path, or the built-in network when path is NULL; prints the error. */
int open_network(const char *cmd, const char *path, struct mr_net *net);

/* Launched by mpirun with several ranks (OMPI_COMM_WORLD_SIZE > 1): 1. */
int mr__under_mpirun(void);
/* Run `meridian-mpi CMD ARGS...` in place of this process (argv[0] = CMD); returns an exit
 * status only if that failed. (cmd_assign.c; not in the meridian-mpi build.) */
int mr__exec_mpi(int argc, char **argv);

/* meridian assign (cmd_assign.c). */
int mr__cmd_assign(int argc, char **argv);
/* meridian critical (cmd_critical.c). */
int mr__cmd_critical(int argc, char **argv);

#endif
