// Subcommands of the `birthright` tool. Each returns the process exit code
// (SPEC §12): 0 success, 1 findings at or above --fail-on, 2 usage or input
// error.
#ifndef BIRTHRIGHT_SRC_CLI_COMMANDS_H_
#define BIRTHRIGHT_SRC_CLI_COMMANDS_H_

namespace birthright::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

int RunEval(int argc, char** argv);
int RunCheck(int argc, char** argv);
int RunCompile(int argc, char** argv);
int RunDelta(int argc, char** argv);
int RunDiff(int argc, char** argv);
int RunReconcile(int argc, char** argv);
int RunFmt(int argc, char** argv);
int RunMigrate(int argc, char** argv);

}  // namespace birthright::cli

#endif  // BIRTHRIGHT_SRC_CLI_COMMANDS_H_
