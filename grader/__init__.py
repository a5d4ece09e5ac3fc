"""The course's autograder: a pytest plugin (plugin.py) and one test file per exercise module."""
