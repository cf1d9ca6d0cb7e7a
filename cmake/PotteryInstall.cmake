# Installs headers, library, the CMake package and libpottery.pc.
