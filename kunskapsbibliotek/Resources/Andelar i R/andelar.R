# Räknar ut varje värdes andel av summan och kontrollerar funktionen med ett litet test.

andel <- function(varden) {
  summa <- sum(varden)
  if (summa == 0) stop("summan är noll")
  round(varden / summa, 3)
}

stopifnot(identical(andel(c(1, 1, 2)), c(0.25, 0.25, 0.5)))

# Avrundad folkmängd i fem kommuner som exempel, inte officiell statistik.
befolkning <- data.frame(
  kommun = c("Stockholm", "Göteborg", "Malmö", "Uppsala", "Linköping"),
  folkmangd = c(988000, 604000, 362000, 242000, 167000)
)
befolkning$andel <- andel(befolkning$folkmangd)
print(befolkning[order(-befolkning$andel), ], row.names = FALSE)
