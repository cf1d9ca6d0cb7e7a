# Containers and primitives, one source file per module.
list(APPEND POTTERY_SOURCES)
