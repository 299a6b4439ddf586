# Runs the blocks of one R session in order, in the global environment.
# Usage: Rscript driver.R INPUT_DIR (blocks NNN.R). Same protocol as driver.py: {"block": i} on
# fd 3 and one byte read from fd 4 before each block; {"error": {...}} on fd 3 on failure.
# Like R started in a workspace: packages install into the user library (R_LIBS_USER), CRAN is
# the default repository (a session reaches it with services="cran"), and a project's .Rprofile
# (renv's activation) is read when the working folder has one.
local({
  user_lib <- Sys.getenv("R_LIBS_USER")
  if (nzchar(user_lib)) {
    dir.create(user_lib, recursive = TRUE, showWarnings = FALSE)
    .libPaths(c(user_lib, .libPaths()))
  }
  options(repos = c(CRAN = "https://cloud.r-project.org"))
})
if (file.exists(".Rprofile")) source(".Rprofile", local = globalenv())
local({
  args <- commandArgs(trailingOnly = TRUE)
  blocks <- sort(list.files(args[1], pattern = "[.]R$", full.names = TRUE))
  ctl <- file("/proc/self/fd/3", open = "w", raw = TRUE)
  ack <- file("/proc/self/fd/4", open = "rb", raw = TRUE)
  json <- function(text) {
    text <- gsub("\\\\", "\\\\\\\\", text)
    text <- gsub("\"", "\\\\\"", text)
    text <- gsub("\n", "\\\\n", text)
    text <- gsub("[[:cntrl:]]", " ", text)
    paste0("\"", text, "\"")
  }
  for (i in seq_along(blocks)) {
    flush(stdout())
    flush(stderr())
    writeLines(sprintf("{\"block\": %d}", i - 1), ctl)
    flush(ctl)
    invisible(readBin(ack, "raw", 1))
    ok <- tryCatch({
      source(blocks[i], local = globalenv(), echo = FALSE, print.eval = TRUE)
      TRUE
    }, error = function(e) {
      message("Error: ", conditionMessage(e))
      writeLines(sprintf("{\"error\": {\"block\": %d, \"error\": %s}}", i - 1,
                         json(paste("Error:", conditionMessage(e)))), ctl)
      flush(ctl)
      FALSE
    })
    flush(stdout())
    flush(stderr())
    if (!ok) quit(status = 1, save = "no")
  }
})
