# Runs the blocks of one R session in order, in the global environment.
# Usage: Rscript driver.R BLOCKS_DIR OUT_DIR. Same file protocol as driver.py.
args <- commandArgs(trailingOnly = TRUE)
blocks <- sort(list.files(args[1], full.names = TRUE))
out <- args[2]
for (i in seq_along(blocks)) {
  n <- sprintf("%03d", i - 1)
  writeLines(as.character(i - 1), file.path(out, ".current"))
  so <- file(file.path(out, paste0(n, ".stdout")), open = "wt")
  se <- file(file.path(out, paste0(n, ".stderr")), open = "wt")
  sink(so)
  sink(se, type = "message")
  ok <- tryCatch({
    source(blocks[i], local = globalenv(), echo = FALSE, print.eval = TRUE)
    TRUE
  }, error = function(e) {
    message("Error: ", conditionMessage(e))
    writeLines(conditionMessage(e), file.path(out, "error.txt"))
    FALSE
  })
  sink(type = "message")
  sink()
  close(so)
  close(se)
  if (!ok) quit(status = 1, save = "no")
}
