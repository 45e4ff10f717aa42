"""The screens of the TUI: session picker, new-session form, workspace, help, modals."""
