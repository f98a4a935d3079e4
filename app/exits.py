"""The command line's exit codes (README, "Command line"); tests/test_cli_exit_codes.py
checks each."""

EXIT_OK = 0
EXIT_REFUSED = 1          # the transaction was decided and refused (or not accepted)
EXIT_USAGE = 2            # bad arguments, unreadable files, wrong passphrase or PIN
EXIT_INVALID_RECEIPT = 3  # verify-receipt: the receipt does not verify
EXIT_UNCLEAN = 4          # reconcile or audit found a difference
EXIT_UNKNOWN = 5          # no decision known (no validator reached, or not decided in
                          # time): the signed transaction waits in the outbox
EXIT_PIPE = 141           # the reader of our output went away (128 + SIGPIPE), as a shell
                          # tool ends in `cardchain ... | head`
