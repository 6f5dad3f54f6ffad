from baozhang.cli import main

main()
