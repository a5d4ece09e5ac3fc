"""What the lessons, the solutions' tests and the grader share: MNIST loading, the stub
generator, plotting helpers and the site's build hooks."""
